using System.Diagnostics;

namespace Edge.Tests.Common;

/// <summary>Real command-line clients (curl, h2load, …), for checks a shell user would make.</summary>
public static class Curl
{
    /// <summary>Runs curl with <paramref name="args"/>; its exit code and standard output.</summary>
    public static async Task<(int Exit, string Output)> RunAsync(params string[] args)
    {
        var (exit, output, _) = await RunToolAsync("curl", args);
        return (exit, output);
    }

    /// <summary>Runs <paramref name="file"/> (found on PATH) with <paramref name="args"/>; exit code, stdout and stderr.</summary>
    public static async Task<(int Exit, string Output, string Errors)> RunToolAsync(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await errors);
    }
}
