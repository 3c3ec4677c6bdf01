using Edge.Gateway.OpenApi;

namespace Edge.Gateway.Import;

/// <summary>
/// What an import brings: the read spec and, from a bundle, handler files (name → code), the manifest's routes,
/// name, version and dependencies, and problems already found while unpacking.
/// </summary>
internal sealed record ImportSource(ApiSpec Spec)
{
    public IReadOnlyDictionary<string, string> HandlerFiles { get; init; } = new Dictionary<string, string>();
    public BundleManifest? Manifest { get; init; }
    public IReadOnlyList<ImportError> Errors { get; init; } = [];
}
