using System.Runtime.CompilerServices;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace Edge.Bench;

// An explicit class, not top-level statements: the gateway's own global Program is visible here.
internal static class Program
{
    private static void Main(string[] args) =>
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, DefaultConfig.Instance.WithArtifactsPath(ArtifactsPath()));

    /// <summary>Results land next to this project (bench/Edge.Bench/BenchmarkDotNet.Artifacts) whatever the working directory.</summary>
    private static string ArtifactsPath([CallerFilePath] string source = "")
    {
        var projectDirectory = Path.GetDirectoryName(source);
        return projectDirectory is not null && Directory.Exists(projectDirectory)
            ? Path.Combine(projectDirectory, "BenchmarkDotNet.Artifacts")
            : Path.Combine(Directory.GetCurrentDirectory(), "BenchmarkDotNet.Artifacts");
    }
}
