namespace Edge.Sdk;

/// <summary>
/// One value of <see cref="SharedState"/>, replaced whole on every change. A class, not a record: the store's
/// compare-and-swap loops (<c>TryUpdate</c>, <c>TryRemove(pair)</c>) must compare entries by reference, so a
/// concurrent writer that stored an equal value still makes the loser retry.
/// </summary>
internal sealed class SharedStateEntry(object value, long expiresAtTicks)
{
    /// <summary>A host-safe value: a primitive, string, copied byte array or <c>JsonElement</c>.</summary>
    public object Value { get; } = value;

    /// <summary>UTC ticks after which the entry reads as absent; <see cref="long.MaxValue"/> for never.</summary>
    public long ExpiresAtTicks { get; } = expiresAtTicks;

    public bool IsExpired(long nowTicks) => nowTicks >= ExpiresAtTicks;
}
