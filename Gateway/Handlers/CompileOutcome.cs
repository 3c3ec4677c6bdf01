namespace Edge.Gateway.Handlers;

internal sealed record CompileOutcome(int Revision, double DurationMs, bool Cached, IReadOnlyList<CompileDiagnostic> Warnings);
