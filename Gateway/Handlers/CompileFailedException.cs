namespace Edge.Gateway.Handlers;

/// <summary>The handler did not compile; carries every error with its position in the user's source.</summary>
internal sealed class CompileFailedException(IReadOnlyList<CompileDiagnostic> diagnostics)
    : Exception(string.Join('\n', diagnostics.Select(d => d.ToString())))
{
    public IReadOnlyList<CompileDiagnostic> Diagnostics { get; } = diagnostics;
}
