using System.Reflection;
using System.Runtime.Loader;

namespace Edge.Gateway.Handlers;

/// <summary>
/// One collectible context per handler version. It resolves nothing itself, so the framework and the SDK come
/// from the default context and handler and host share the SDK's types.
/// </summary>
internal sealed class HandlerLoadContext(string name) : AssemblyLoadContext(name, isCollectible: true)
{
    protected override Assembly? Load(AssemblyName assemblyName) => null;
}
