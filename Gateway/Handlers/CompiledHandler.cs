namespace Edge.Gateway.Handlers;

/// <summary>A successful compile: the emitted image (and its symbols) ready to load into a context.</summary>
internal sealed record CompiledHandler(string Hash, byte[] Image, byte[]? Symbols, bool FromCache, double DurationMs,
    IReadOnlyList<CompileDiagnostic> Warnings);
