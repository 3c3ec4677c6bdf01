namespace Edge.Gateway.OpenApi;

/// <summary>
/// An OpenAPI document reduced to what edge serves: its info, the base path from its server URL and one
/// self-contained operation per (method, path). <see cref="Problems"/> lists every operation that cannot be imported.
/// </summary>
internal sealed record ApiSpec(
    string SpecVersion,
    string? Title,
    string? Version,
    string? Description,
    string BasePath,
    IReadOnlyList<SpecOperation> Operations,
    IReadOnlyList<SpecProblem> Problems,
    IReadOnlyList<string> Warnings);
