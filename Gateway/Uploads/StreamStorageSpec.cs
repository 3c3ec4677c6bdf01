using System.Globalization;

namespace Edge.Gateway.Uploads;

/// <summary>
/// Where the built-in <c>/stream</c> routes keep their files, as <c>--stream-storage</c> names it: <c>folder:PATH</c>
/// (a local folder, made absolute) or <c>s3:SERVICE</c> (the bucket of a <c>minio</c> service, by name).
/// </summary>
internal sealed record StreamStorageSpec(StreamStorageKind Kind, string Location)
{
    /// <summary>The default largest upload (<c>--stream-max-bytes</c>): 10 GiB.</summary>
    public const long DefaultMaxBytes = 10L * 1024 * 1024 * 1024;

    public static bool TryParse(string text, out StreamStorageSpec? spec, out string? error)
    {
        spec = null;
        error = null;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        var kind = colon < 0 ? text : text[..colon];
        var location = colon < 0 ? "" : text[(colon + 1)..];
        if (kind == "folder" && location.Length > 0 && !location.Contains('\0'))
        {
            try
            {
                spec = new StreamStorageSpec(StreamStorageKind.Folder, Path.GetFullPath(location));
                return true;
            }
            catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
            {
                error = $"--stream-storage: '{location}' is not a usable folder path: {ex.Message}";
                return false;
            }
        }

        if (kind == "s3" && location.Length > 0 && location.Length <= 100 && !location.Any(char.IsControl))
        {
            spec = new StreamStorageSpec(StreamStorageKind.S3, location);
            return true;
        }

        error = $"--stream-storage must be folder:<path> or s3:<service name>, got '{text}'";
        return false;
    }

    public static bool TryParseMaxBytes(string text, out long bytes, out string? error)
    {
        error = null;
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out bytes) && bytes > 0)
        {
            return true;
        }

        error = $"--stream-max-bytes must be a positive number of bytes, got '{text}'";
        return false;
    }

    public override string ToString() => (Kind == StreamStorageKind.Folder ? "folder:" : "s3:") + Location;
}
