using System.Diagnostics;

namespace Edge.Tests.Common;

/// <summary>The real curl client, for checks a browser or a shell user would make.</summary>
public static class Curl
{
    /// <summary>Runs curl with <paramref name="args"/>; its exit code and standard output.</summary>
    public static async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo("curl", args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        await errors;
        return (process.ExitCode, await output);
    }
}
