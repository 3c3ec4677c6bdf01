using System.Globalization;

namespace Edge.Gateway.Admin;

/// <summary>Shape rules shared by the admin resources.</summary>
internal static class Validation
{
    public static readonly string[] Methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"];

    /// <summary>A DNS host name or an IP address (no port, no scheme).</summary>
    public static bool IsHost(string host)
    {
        if (host.Length is 0 or > 253)
        {
            return false;
        }

        if (System.Net.IPAddress.TryParse(host.Trim('[', ']'), out _))
        {
            return true;
        }

        foreach (var label in host.Split('.'))
        {
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c == '-'))
                {
                    return false;
                }
            }
        }

        return true;
    }

    public static bool IsId(string id) => Guid.TryParse(id, out _);

    public static string NewId() => Guid.NewGuid().ToString("D", CultureInfo.InvariantCulture);
}
