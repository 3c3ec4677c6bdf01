namespace Edge.Gateway.Handlers;

/// <summary>One compiler message, with line and column (1-based) in the user's own source.</summary>
internal sealed record CompileDiagnostic(int Line, int Column, string Severity, string Id, string Message)
{
    public override string ToString() => $"({Line},{Column}): {Severity} {Id}: {Message}";
}
