using System.Globalization;
using System.Text.Json;

namespace Edge.Sdk;

/// <summary>
/// A process-wide, thread-safe key/value store shared by every handler and request (not across restarts or
/// processes), with atomic operations and optional expiry. Strings, booleans, numbers, <c>decimal</c>,
/// <c>DateTime</c>, <c>DateTimeOffset</c>, <c>TimeSpan</c>, <c>Guid</c> and <c>byte[]</c> (copied) are kept as
/// they are; any other value (a handler's own record or class, a <c>JsonNode</c>) is kept as its JSON and read
/// back through JSON, so a stored value never keeps a retired handler version loaded.
/// </summary>
/// <remarks>
/// Keys are non-empty and at most <see cref="MaxKeyLength"/> characters (else 400). Expired entries read as
/// absent. The store holds at most 100,000 entries; adding a key beyond that answers 503.
/// </remarks>
public sealed class SharedState
{
    /// <summary>The longest key accepted, in characters.</summary>
    public const int MaxKeyLength = 256;

    private readonly SharedStateStore _store;
    private readonly JsonSerializerOptions _json;

    internal SharedState(SharedStateStore store, JsonSerializerOptions json)
    {
        _store = store;
        _json = json;
    }

    /// <summary>The number of live (unexpired) entries; counts them, so it costs time in the store's size.</summary>
    public int Count => _store.CountLive();

    /// <summary>
    /// The value under <paramref name="key"/>, or default when it is absent or expired. A stored number is
    /// converted to another numeric <typeparamref name="T"/> when that loses nothing; JSON-kept values are
    /// deserialised; anything else that does not fit <typeparamref name="T"/> throws a 409 <see cref="HandlerError"/>.
    /// </summary>
    public T? Get<T>(string key)
    {
        ValidateKey(key);
        var entry = _store.Live(key, out _);
        return entry is null ? default : Read<T>(key, entry.Value);
    }

    /// <summary>
    /// Stores <paramref name="value"/> under <paramref name="key"/>, replacing any value and its expiry; it expires
    /// after <paramref name="ttl"/> when one is given. Storing null removes the key.
    /// </summary>
    public void Set<T>(string key, T value, TimeSpan? ttl = null)
    {
        ValidateKey(key);
        ValidateTtl(ttl);
        if (value is null)
        {
            Remove(key);
            return;
        }

        var entry = new SharedStateEntry(Store(value), _store.Deadline(ttl));
        while (true)
        {
            _store.Live(key, out var stored);
            if (_store.TryReplace(key, stored, entry))
            {
                return;
            }
        }
    }

    /// <summary>
    /// The value under <paramref name="key"/>, or, when it is absent, the result of <paramref name="factory"/>
    /// stored there (expiring after <paramref name="ttl"/>). Under a race the factory may run in more than one
    /// caller; only one result is kept and every caller gets the kept value (the winner gets its own object).
    /// A null result is returned and not stored.
    /// </summary>
    public T GetOrAdd<T>(string key, Func<T> factory, TimeSpan? ttl = null)
    {
        ValidateKey(key);
        ValidateTtl(ttl);
        ArgumentNullException.ThrowIfNull(factory);
        var existing = _store.Live(key, out _);
        if (existing is not null)
        {
            return Read<T>(key, existing.Value)!;
        }

        var created = factory();
        if (created is null)
        {
            return created;
        }

        var entry = new SharedStateEntry(Store(created), _store.Deadline(ttl));
        while (true)
        {
            existing = _store.Live(key, out var stored);
            if (existing is not null)
            {
                return Read<T>(key, existing.Value)!;
            }

            if (_store.TryReplace(key, stored, entry))
            {
                return created;
            }
        }
    }

    /// <summary>
    /// Atomically adds <paramref name="by"/> to the integer under <paramref name="key"/> and returns the new value;
    /// an absent or expired key starts at 0. The key keeps its expiry. A non-integer value, or an overflow,
    /// throws a 409 <see cref="HandlerError"/>.
    /// </summary>
    public long Increment(string key, long by = 1)
    {
        ValidateKey(key);
        while (true)
        {
            var current = _store.Live(key, out var stored);
            long next;
            long deadline;
            if (current is null)
            {
                next = by;
                deadline = long.MaxValue;
            }
            else
            {
                var value = AsInt64(current.Value)
                    ?? throw HandlerError.Conflict($"ctx.State key '{key}' holds a {Describe(current.Value)}, not an integer, so it cannot be incremented");
                try
                {
                    next = checked(value + by);
                }
                catch (OverflowException)
                {
                    throw HandlerError.Conflict($"incrementing ctx.State key '{key}' ({value}) by {by} overflows a long");
                }

                deadline = current.ExpiresAtTicks;
            }

            if (_store.TryReplace(key, stored, new SharedStateEntry(next, deadline)))
            {
                return next;
            }
        }
    }

    /// <summary>
    /// Atomically replaces the value under <paramref name="key"/> with <paramref name="value"/> (null removes it)
    /// if it equals <paramref name="expected"/>, and says whether it did. Numbers and strings compare by value,
    /// byte arrays by content, JSON-kept values by their JSON. A null <paramref name="expected"/> means "absent";
    /// a value type's default (e.g. 0) matches an absent key too. The key keeps its expiry.
    /// </summary>
    public bool CompareAndSet<T>(string key, T expected, T value)
    {
        ValidateKey(key);
        var expectAbsent = expected is null;
        var absentMatches = expectAbsent || (typeof(T).IsValueType && EqualityComparer<T>.Default.Equals(expected, default));
        var expectedStored = expectAbsent ? null : Store(expected!);
        var next = value is null ? null : Store(value);
        while (true)
        {
            var current = _store.Live(key, out var stored);
            if (current is null)
            {
                if (!absentMatches)
                {
                    return false;
                }

                if (next is null || _store.TryReplace(key, stored, new SharedStateEntry(next, long.MaxValue)))
                {
                    return true;
                }

                continue;
            }

            if (expectAbsent || !ValueEquals<T>(current.Value, expectedStored!))
            {
                return false;
            }

            var done = next is null
                ? _store.TryRemove(key, current)
                : _store.TryReplace(key, current, new SharedStateEntry(next, current.ExpiresAtTicks));
            if (done)
            {
                return true;
            }
        }
    }

    /// <summary>Removes <paramref name="key"/>; true when a live value was removed.</summary>
    public bool Remove(string key)
    {
        ValidateKey(key);
        while (true)
        {
            var current = _store.Live(key, out _);
            if (current is null)
            {
                return false;
            }

            if (_store.TryRemove(key, current))
            {
                return true;
            }
        }
    }

    /// <summary>True when <paramref name="key"/> holds a live (unexpired) value.</summary>
    public bool Contains(string key)
    {
        ValidateKey(key);
        return _store.Live(key, out _) is not null;
    }

    private static void ValidateKey(string key)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw HandlerError.BadRequest("a ctx.State key must not be empty");
        }

        if (key.Length > MaxKeyLength)
        {
            throw HandlerError.BadRequest($"a ctx.State key must be at most {MaxKeyLength} characters (got {key.Length})");
        }
    }

    private static void ValidateTtl(TimeSpan? ttl)
    {
        if (ttl is { } value && value <= TimeSpan.Zero)
        {
            throw HandlerError.BadRequest($"a ctx.State ttl must be positive (got {value})");
        }
    }

    private static bool IsHostSafe(object value) => value is string or bool or char
        or byte or sbyte or short or ushort or int or uint or long or ulong or nint or nuint
        or Int128 or UInt128 or Half or float or double or decimal
        or DateTime or DateTimeOffset or TimeSpan or Guid;

    private static bool IsNumber(object value) => value is byte or sbyte or short or ushort or int or uint or long or ulong
        or float or double or decimal;

    private static long? AsInt64(object value) => value switch
    {
        long l => l,
        int i => i,
        short s => s,
        sbyte sb => sb,
        byte b => b,
        ushort us => us,
        uint ui => ui,
        ulong ul when ul <= long.MaxValue => (long)ul,
        _ => null,
    };

    private static string Describe(object value) => value is JsonElement element ? $"JSON {element.ValueKind.ToString().ToLowerInvariant()}" : value.GetType().Name;

    /// <summary>What the store keeps for <paramref name="value"/>: only host types, so nothing pins a handler's load context.</summary>
    private object Store(object value)
    {
        if (IsHostSafe(value))
        {
            return value;
        }

        if (value is byte[] bytes)
        {
            return bytes.ToArray();
        }

        if (value is JsonElement element)
        {
            return element.Clone();
        }

        // A handler's own type (or a JsonNode, which may wrap one): kept as JSON written with the version's own
        // options, whose metadata cache is dropped with the version.
        try
        {
            return JsonSerializer.SerializeToElement(value, value.GetType(), _json);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new HandlerError(500, $"a {value.GetType().Name} cannot be kept in ctx.State: it does not serialise to JSON ({ex.Message})", ex);
        }
    }

    private T? Read<T>(string key, object stored)
    {
        if (stored is T same)
        {
            // Arrays are copied both ways, so no caller can change what another reads.
            return stored is byte[] bytes ? (T)(object)bytes.ToArray() : same;
        }

        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        if (stored is JsonElement element)
        {
            try
            {
                return element.Deserialize<T>(_json);
            }
            catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
            {
                throw new HandlerError(409, $"ctx.State key '{key}' holds JSON ({element.ValueKind.ToString().ToLowerInvariant()}) that does not read as a {target.Name}: {ex.Message}", ex);
            }
        }

        if (IsNumber(stored) && TryConvertNumber(stored, target, out var converted))
        {
            return (T)converted;
        }

        throw HandlerError.Conflict($"ctx.State key '{key}' holds a {Describe(stored)}, which does not convert to a {target.Name} without loss");
    }

    private static bool TryConvertNumber(object stored, Type target, out object converted)
    {
        converted = stored;
        if (target.IsEnum || !typeof(IConvertible).IsAssignableFrom(target) || target == typeof(string) || target == typeof(bool)
            || target == typeof(char) || target == typeof(DateTime))
        {
            return false;
        }

        try
        {
            converted = Convert.ChangeType(stored, target, CultureInfo.InvariantCulture);

            // Lossless only: converting back must give the stored value again (catches 1.5 -> 2, 1e300 -> float infinity).
            var back = Convert.ChangeType(converted, stored.GetType(), CultureInfo.InvariantCulture);
            return back.Equals(stored);
        }
        catch (Exception ex) when (ex is OverflowException or InvalidCastException or FormatException)
        {
            return false;
        }
    }

    private static bool ValueEquals<T>(object stored, object expected)
    {
        if (stored is byte[] left && expected is byte[] right)
        {
            return left.AsSpan().SequenceEqual(right);
        }

        if (stored is JsonElement storedJson && expected is JsonElement expectedJson)
        {
            return JsonElement.DeepEquals(storedJson, expectedJson);
        }

        if (stored.Equals(expected))
        {
            return true;
        }

        // Numbers compare by value across types: a stored long 5 equals an expected int 5.
        if (IsNumber(stored) && IsNumber(expected))
        {
            var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
            return TryConvertNumber(stored, target, out var converted) && converted.Equals(expected);
        }

        return false;
    }
}
