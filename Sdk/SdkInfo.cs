namespace Edge.Sdk;

/// <summary>
/// Facts about the handler SDK that handlers are compiled against.
/// </summary>
public static class SdkInfo
{
    /// <summary>
    /// The SDK version; a change invalidates every cached handler compilation.
    /// </summary>
    public const string Version = "1.0.0";
}
