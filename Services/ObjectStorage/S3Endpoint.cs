namespace Edge.Services.ObjectStorage;

/// <summary>Reads the <c>endpoint</c> config field: <c>host:port</c> (scheme from <c>use_ssl</c>) or a full <c>http(s)://host:port</c> URL.</summary>
internal static class S3Endpoint
{
    /// <summary>The base URL of the store; throws <see cref="InvalidOperationException"/> naming the field when it cannot be used.</summary>
    public static Uri Parse(string endpoint, bool? useSsl)
    {
        var text = endpoint.Trim();
        var hasScheme = text.Contains("://", StringComparison.Ordinal);
        if (!hasScheme)
        {
            text = (useSsl == true ? "https://" : "http://") + text;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Host.Length == 0)
        {
            throw new InvalidOperationException(
                $"config.endpoint: '{endpoint}' is neither host:port nor an http(s)://host:port URL");
        }

        if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            throw new InvalidOperationException(
                $"config.endpoint: '{endpoint}' must be only scheme, host and port (no path, query or credentials); the bucket goes in config.bucket");
        }

        if (hasScheme && useSsl is { } ssl && ssl != (uri.Scheme == "https"))
        {
            throw new InvalidOperationException(
                $"config.use_ssl: {(ssl ? "true" : "false")} contradicts the endpoint's scheme '{uri.Scheme}': drop one of them");
        }

        return uri;
    }
}
