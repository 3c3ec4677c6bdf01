using System.Runtime.InteropServices;

namespace Edge.Tests.Common;

/// <summary>POSIX signals: .NET's Process.Kill only sends SIGKILL, a graceful stop needs SIGTERM.</summary>
internal static partial class Native
{
    public const int SigTerm = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);
}
