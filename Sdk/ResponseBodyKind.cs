namespace Edge.Sdk;

/// <summary>How the host writes <see cref="Response.Body"/> to the wire.</summary>
internal enum ResponseBodyKind
{
    /// <summary>No body.</summary>
    None,

    /// <summary>An object the host serialises as JSON (with the handler version's options).</summary>
    Json,

    /// <summary>A string written as UTF-8.</summary>
    Text,

    /// <summary>A byte array written as is.</summary>
    Bytes,

    /// <summary>A <c>Func&lt;ResponseStream, Task&gt;</c> that writes the body in chunks (see <see cref="Response.Stream"/>).</summary>
    Stream,

    /// <summary>A <c>Func&lt;WebSocketSession, Task&gt;</c> run on an accepted WebSocket (see <see cref="Response.WebSocket"/>).</summary>
    WebSocket,

    /// <summary>A <see cref="FileBody"/>: a region of a file the host sends from disk (see <see cref="Response.File"/>).</summary>
    File,
}
