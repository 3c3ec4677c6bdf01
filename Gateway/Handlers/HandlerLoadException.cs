namespace Edge.Gateway.Handlers;

/// <summary>A compiled handler could not be loaded (its constructor threw, its image is unusable).</summary>
internal sealed class HandlerLoadException(string message, Exception inner) : Exception(message, inner);
