namespace Edge.Gateway.Import;

/// <summary>An uploaded bundle that is not a ZIP we accept: one line naming the entry at fault when there is one.</summary>
internal sealed class BundleFormatException(string message, string? entry = null, Exception? inner = null)
    : Exception(message, inner)
{
    public string? Entry { get; } = entry;
}
