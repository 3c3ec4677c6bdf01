using System.Runtime.Versioning;

// The suite drives the gateway with POSIX signals and file modes: Linux only.
[assembly: SupportedOSPlatform("linux")]
