using System.Reflection;

namespace Edge.Gateway.Handlers;

/// <summary>
/// System.Text.Json keeps a process-wide cache of the member accessors it emits for reflection serialisation,
/// evicted only lazily (about a second after last use, and only when the cache is touched again). An entry for
/// a handler's type pins that handler's collectible context, so an idle gateway would never unload a retired
/// version. The runtime's hot-reload hook clears that cache; edge calls it after a version is unloaded.
/// </summary>
internal static class SerializerCaches
{
    private static readonly Action? ClearAction = Resolve();

    /// <summary>True when the hook was found (it is internal to System.Text.Json, so this is checked, not assumed).</summary>
    public static bool CanClear => ClearAction is not null;

    public static void Clear() => ClearAction?.Invoke();

    private static Action? Resolve()
    {
        var method = typeof(System.Text.Json.JsonSerializer).Assembly
            .GetType("System.Text.Json.JsonSerializerOptionsUpdateHandler")
            ?.GetMethod("ClearCache", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static, [typeof(Type[])]);
        return method is null ? null : () => method.Invoke(null, [null]);
    }
}
