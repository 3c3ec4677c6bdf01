using System.Diagnostics;
using Edge.Tests.Common;

namespace Edge.Tests.Services.Redis;

/// <summary>Redis's own client (<c>redis-cli</c>) against the test server: the other side of every cache test.</summary>
public static class RedisCli
{
    /// <summary>Runs one command on the plain port and returns its raw output, trimmed (<c>--no-raw</c> is not used).</summary>
    public static async Task<string> RunAsync(params string[] command)
    {
        var start = new ProcessStartInfo("redis-cli")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in (string[])["-h", TestServices.Get("REDIS_HOST"), "-p", TestServices.Get("REDIS_PORT"),
                     "-a", TestServices.Get("REDIS_PASSWORD"), "--no-auth-warning", .. command])
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start redis-cli");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"redis-cli {string.Join(' ', command)} failed ({process.ExitCode}): {await stderr}");
        }

        return (await stdout).TrimEnd('\n');
    }

    public static async Task<long> NumberAsync(params string[] command) =>
        long.Parse(await RunAsync(command), System.Globalization.CultureInfo.InvariantCulture);
}
