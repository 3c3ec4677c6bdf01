namespace Edge.Gateway.Import;

/// <summary>One <c>routes:</c> entry of a bundle manifest: the handler file for a method and path.</summary>
internal sealed record BundleRoute(string Method, string Path, string Handler, string? Name, string? Description, string Pointer);
