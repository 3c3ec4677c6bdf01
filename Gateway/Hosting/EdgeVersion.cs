using System.Reflection;

namespace Edge.Gateway.Hosting;

internal static class EdgeVersion
{
    public static readonly string Current =
        typeof(EdgeVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? "0.0.0";
}
