namespace Edge.Tests.Common;

/// <summary>The outcome of a gateway process that was expected to exit by itself.</summary>
public sealed record ProcessResult(int ExitCode, string StdOut, string StdErr)
{
    /// <summary>Non-blank lines written to stderr.</summary>
    public IReadOnlyList<string> StdErrLines =>
        StdErr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}";
}
