using Edge.Gateway.Handlers;

namespace Edge.Gateway.Import;

/// <summary>
/// One thing that could not be imported: an operation of the spec (with a JSON pointer into it), a handler file (with
/// its compiler diagnostics) or the bundle manifest.
/// </summary>
internal sealed record ImportError(string? Operation, string? File, string? Pointer, string Message, IReadOnlyList<CompileDiagnostic>? Diagnostics = null);
