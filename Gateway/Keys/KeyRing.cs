using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Edge.Gateway.Config;

namespace Edge.Gateway.Keys;

/// <summary>
/// Every key in memory, looked up by its public prefix and checked in constant time against the stored SHA-256 of its
/// secret. Keys look like <c>ek_&lt;16 chars&gt;_&lt;43 chars&gt;</c> (traffic) or <c>eak_…</c> (admin): 80 random
/// bits of prefix and 256 of secret, so a fast hash is the right one (nothing to brute-force), and the store never
/// holds anything that lets a reader present a key. Rebuilt whole after every change; requests never touch the store.
/// </summary>
internal sealed class KeyRing
{
    public const string TrafficTag = "ek_";
    public const string AdminTag = "eak_";
    private const int PrefixLength = 16;
    private const int SecretBytes = 32;
    private const int SecretLength = 43;
    private const string Base32 = "abcdefghijklmnopqrstuvwxyz234567";

    private readonly ConfigStore _store;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastUsed = new(StringComparer.Ordinal);
    private volatile FrozenDictionary<string, Entry> _byPrefix = FrozenDictionary<string, Entry>.Empty;

    public KeyRing(ConfigStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
        Reload();
    }

    /// <summary>Reads every key from the store again (after a create or a delete).</summary>
    public void Reload()
    {
        _byPrefix = _store.ListKeys().ToFrozenDictionary(
            k => k.Prefix,
            k => new Entry(k, k.ExpiresAt is null ? null : DateTimeOffset.Parse(k.ExpiresAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)),
            StringComparer.Ordinal);
        foreach (var id in _lastUsed.Keys)
        {
            if (!_byPrefix.Values.Any(e => e.Record.Id == id))
            {
                _lastUsed.TryRemove(id, out _);
            }
        }
    }

    /// <summary>When the key was last accepted since this process started, or null.</summary>
    public DateTimeOffset? LastUsed(string id) => _lastUsed.TryGetValue(id, out var at) ? at : null;

    /// <summary>A new key of <paramref name="kind"/>: the text to show once, its prefix and the hash to store.</summary>
    public static (string Key, string Prefix, byte[] SecretHash) Generate(string kind)
    {
        Span<byte> random = stackalloc byte[PrefixLength];
        RandomNumberGenerator.Fill(random);
        var prefix = new StringBuilder(PrefixLength);
        foreach (var b in random)
        {
            prefix.Append(Base32[b & 31]);
        }

        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(SecretBytes)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var tag = kind == ApiKeyRecord.Admin ? AdminTag : TrafficTag;
        return ($"{tag}{prefix}_{secret}", prefix.ToString(), Hash(secret));
    }

    /// <summary>
    /// The key of <paramref name="kind"/> that <paramref name="presented"/> is, if it is valid now; otherwise null and
    /// <paramref name="problem"/> says why (without echoing the key).
    /// </summary>
    public ApiKeyRecord? Verify(ReadOnlySpan<char> presented, string kind, out string? problem)
    {
        var tag = kind == ApiKeyRecord.Admin ? AdminTag : TrafficTag;
        presented = presented.Trim();
        if (!presented.StartsWith(tag, StringComparison.Ordinal) ||
            presented.Length != tag.Length + PrefixLength + 1 + SecretLength ||
            presented[tag.Length + PrefixLength] != '_')
        {
            problem = kind == ApiKeyRecord.Admin ? "not an edge admin key" : "not an edge API key";
            return null;
        }

        var prefix = presented.Slice(tag.Length, PrefixLength).ToString();
        var secret = presented[(tag.Length + PrefixLength + 1)..];
        if (!_byPrefix.TryGetValue(prefix, out var entry) || entry.Record.Kind != kind ||
            !CryptographicOperations.FixedTimeEquals(Hash(secret), entry.Record.SecretHash))
        {
            problem = "unknown or revoked key";
            return null;
        }

        var now = _time.GetUtcNow();
        if (entry.Expires is { } expires && now >= expires)
        {
            problem = $"key '{entry.Record.Name}' expired at {expires:yyyy-MM-ddTHH:mm:ssZ}";
            return null;
        }

        _lastUsed[entry.Record.Id] = now;
        problem = null;
        return entry.Record;
    }

    private static byte[] Hash(ReadOnlySpan<char> secret)
    {
        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(secret.Length)];
        var length = Encoding.UTF8.GetBytes(secret, utf8);
        return SHA256.HashData(utf8[..length]);
    }

    private sealed record Entry(ApiKeyRecord Record, DateTimeOffset? Expires);
}
