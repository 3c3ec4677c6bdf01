using Edge.Sdk;
using StackExchange.Redis;

namespace Edge.Services.Redis;

/// <summary>
/// The <see cref="ICache"/> a handler gets from <c>ctx.Cache(name)</c>: GET, SET (EX), DEL, EXISTS, INCRBY, DECRBY,
/// each one call under the service's bounds and cancelled with the request.
/// </summary>
internal sealed class RedisCache(RedisService service, CancellationToken aborted) : ICache
{
    public async Task<string?> GetAsync(string key)
    {
        var k = Key(key);
        var value = await service.CallAsync(db => db.StringGetAsync(k), aborted).ConfigureAwait(false);
        return value.IsNull ? null : (string?)value;
    }

    public Task SetAsync(string key, string value, int? ttlSeconds = null)
    {
        var k = Key(key);
        if (value is null)
        {
            throw HandlerError.BadRequest("cache value must not be null (use DeleteAsync to remove a key)");
        }

        if (ttlSeconds is <= 0)
        {
            throw HandlerError.BadRequest($"ttlSeconds must be greater than 0, got {ttlSeconds}");
        }

        TimeSpan? expiry = ttlSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null;
        return service.CallAsync(db => db.StringSetAsync(k, value, expiry), aborted);
    }

    public Task<bool> DeleteAsync(string key)
    {
        var k = Key(key);
        return service.CallAsync(db => db.KeyDeleteAsync(k), aborted);
    }

    public Task<bool> ExistsAsync(string key)
    {
        var k = Key(key);
        return service.CallAsync(db => db.KeyExistsAsync(k), aborted);
    }

    public Task<long> IncrAsync(string key, long by = 1)
    {
        var k = Key(key);
        return service.CallAsync(db => db.StringIncrementAsync(k, by), aborted);
    }

    public Task<long> DecrAsync(string key, long by = 1)
    {
        var k = Key(key);
        return service.CallAsync(db => db.StringDecrementAsync(k, by), aborted);
    }

    private static RedisKey Key(string key)
    {
        if (string.IsNullOrEmpty(key))
        {
            throw HandlerError.BadRequest("cache key must not be empty");
        }

        if (key.Length > RedisService.MaxKeyLength)
        {
            throw HandlerError.BadRequest($"cache key is {key.Length} characters long; at most {RedisService.MaxKeyLength} are allowed");
        }

        return key;
    }
}
