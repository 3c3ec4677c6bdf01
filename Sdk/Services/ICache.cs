namespace Edge.Sdk;

/// <summary>
/// A key-value cache on a <c>redis</c> service, from <see cref="Context.Cache"/>. Values are strings (serialise
/// objects to JSON first). Failures throw <see cref="HandlerError"/>: 503 when Redis cannot be reached, is
/// saturated or is not active, 504 on a call timeout, 500 for an error Redis reported (for example INCR on a
/// value that is not a number).
/// </summary>
public interface ICache
{
    /// <summary>The value stored under <paramref name="key"/>, or null when there is none.</summary>
    Task<string?> GetAsync(string key);

    /// <summary>Stores <paramref name="value"/>; with <paramref name="ttlSeconds"/> it expires after that many seconds.</summary>
    Task SetAsync(string key, string value, int? ttlSeconds = null);

    /// <summary>Removes <paramref name="key"/>; true when it existed.</summary>
    Task<bool> DeleteAsync(string key);

    /// <summary>True when <paramref name="key"/> exists.</summary>
    Task<bool> ExistsAsync(string key);

    /// <summary>Adds <paramref name="by"/> to the number under <paramref name="key"/> (0 when absent) and returns the result.</summary>
    Task<long> IncrAsync(string key, long by = 1);

    /// <summary>Subtracts <paramref name="by"/> from the number under <paramref name="key"/> (0 when absent) and returns the result.</summary>
    Task<long> DecrAsync(string key, long by = 1);
}
