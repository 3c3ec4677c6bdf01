using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Edge.Services.Ftp;

/// <summary>
/// Runs one of OpenSSH's client tools (sftp, ssh-keyscan, ssh) to completion: arguments as an argv list (never a
/// shell line), its standard input written then closed, both outputs collected, and the whole process tree
/// killed when <c>cancel</c> fires.
/// </summary>
internal static class ProcessRunner
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>What a finished process left: its exit code and outputs.</summary>
    public sealed record Result(int ExitCode, string StdOut, string StdErr);

    /// <summary>A start description with UTF-8 pipes, the C.UTF-8 locale and no agent or display.</summary>
    public static ProcessStartInfo Start(string fileName, IEnumerable<string> arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = Utf8,
            StandardOutputEncoding = Utf8,
            StandardErrorEncoding = Utf8,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // English messages (they are matched: "No such file…"), and UTF-8 so that sftp prints non-ASCII names
        // as they are instead of octal escapes.
        start.Environment["LC_ALL"] = "C.UTF-8";
        start.Environment["LANG"] = "C.UTF-8";
        foreach (var name in new[] { "SSH_AUTH_SOCK", "SSH_ASKPASS", "SSH_ASKPASS_REQUIRE", "DISPLAY" })
        {
            start.Environment.Remove(name);
        }

        return start;
    }

    public static async Task<Result> RunAsync(ProcessStartInfo start, string stdin, CancellationToken cancel)
    {
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Win32Exception ex)
        {
            throw new FileTransferUnavailableException($"cannot run '{start.FileName}' (OpenSSH's client tools must be installed): {ex.Message}", ex);
        }

        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            try
            {
                await process.StandardInput.WriteAsync(stdin.AsMemory(), cancel).ConfigureAwait(false);
                process.StandardInput.Close();
            }
            catch (IOException)
            {
                // It exited before reading everything: its output and exit code say why.
            }

            await process.WaitForExitAsync(cancel).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            throw;
        }

        return new Result(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    private static void Kill(Process process)
    {
        try
        {
            // sftp runs ssh as its child: both go.
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
    }
}
