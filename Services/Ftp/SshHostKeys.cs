using System.Security.Cryptography;

namespace Edge.Services.Ftp;

/// <summary>
/// Host keys as <c>ssh-keyscan</c> prints them (<c>[host]:port type base64</c>, one per line) and their OpenSSH
/// SHA256 fingerprints: <c>SHA256:</c> then the unpadded base64 of the SHA-256 of the key blob.
/// </summary>
internal static class SshHostKeys
{
    /// <summary>One scanned key: the known_hosts line as printed, its type and its fingerprint.</summary>
    public sealed record HostKey(string Line, string Type, string Fingerprint);

    /// <summary>The keys in <c>ssh-keyscan</c> output; comment lines and lines that are not keys are skipped.</summary>
    public static IReadOnlyList<HostKey> Parse(string keyscanOutput)
    {
        var keys = new List<HostKey>();
        foreach (var raw in keyscanOutput.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 3 || Fingerprint(fields[2]) is not { } fingerprint)
            {
                continue;
            }

            keys.Add(new HostKey(line, fields[1], fingerprint));
        }

        return keys;
    }

    /// <summary>The SHA256 fingerprint of a base64 key blob, or null when it is not base64.</summary>
    public static string? Fingerprint(string base64Blob)
    {
        byte[] blob;
        try
        {
            blob = Convert.FromBase64String(base64Blob);
        }
        catch (FormatException)
        {
            return null;
        }

        return "SHA256:" + Convert.ToBase64String(SHA256.HashData(blob)).TrimEnd('=');
    }

    /// <summary>
    /// A configured fingerprint in canonical form (<c>SHA256:</c> + 43 base64 characters, no padding), or null when
    /// it is not one.
    /// </summary>
    public static string? Normalise(string fingerprint)
    {
        var value = fingerprint.Trim();
        if (!value.StartsWith("SHA256:", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var hash = value["SHA256:".Length..].TrimEnd('=');
        Span<byte> bytes = stackalloc byte[33];
        return hash.Length == 43 && Convert.TryFromBase64String(hash + "=", bytes, out var written) && written == 32
            ? "SHA256:" + hash
            : null;
    }
}
