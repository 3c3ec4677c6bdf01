using System.Security.Cryptography;
using Edge.Gateway.Hosting;

namespace Edge.Gateway.Admin;

/// <summary>
/// The admin bearer token: EDGE_ADMIN_TOKEN if set, else DIR/admin-token, generated at first start with mode 0600.
/// </summary>
internal static class AdminToken
{
    public const int MinLength = 16;

    /// <summary>Returns the token and whether it was generated just now (the caller prints it once).</summary>
    public static (string Token, bool Generated) Resolve(EdgeOptions options)
    {
        if (options.AdminToken is { } given)
        {
            if (given.Length < MinLength)
            {
                throw new InvalidOperationException($"EDGE_ADMIN_TOKEN must be at least {MinLength} characters");
            }

            return (given, false);
        }

        var path = options.TokenPath;
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length >= MinLength)
            {
                if (!OperatingSystem.IsWindows())
                {
                    // Someone widened the permissions: the token is a secret, narrow them again.
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                return (existing, false);
            }
        }

        var token = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var temp = path + ".tmp";
        var streamOptions = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Options = FileOptions.WriteThrough };
        if (!OperatingSystem.IsWindows())
        {
            streamOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var writer = new StreamWriter(temp, System.Text.Encoding.ASCII, streamOptions))
        {
            writer.Write(token + "\n");
        }

        File.Move(temp, path, overwrite: true);
        return (token, true);
    }

    public static bool Matches(string expected, ReadOnlySpan<char> presented)
    {
        Span<byte> a = stackalloc byte[32];
        Span<byte> b = stackalloc byte[32];
        SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(expected), a);
        SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(presented.ToArray()), b);
        return CryptographicOperations.FixedTimeEquals(a, b);
    }
}
