using System.Collections.Frozen;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Edge.Gateway.Config;
using Edge.Sdk;

namespace Edge.Gateway.Keys;

/// <summary>
/// Every key in memory, looked up by its public prefix and checked in constant time against the stored SHA-256 of its
/// secret. Keys look like <c>ek_&lt;16 chars&gt;_&lt;43 chars&gt;</c> (traffic) or <c>eak_…</c> (admin): 80 random
/// bits of prefix and 256 of secret, so a fast hash is the right one (nothing to brute-force), and the store never
/// holds anything that lets a reader present a key. Rebuilt whole after every change; requests never touch the store.
/// PERF: SHA-256 goes through OpenSSL (~0.7 µs a call here, and its implicit algorithm fetch contends across threads),
/// so once a key's secret has matched its hash, the secret's bytes are kept in this process's memory (never in the
/// store or a log) and later requests compare against them in constant time, with no hash, no allocation and no lock.
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
    private readonly Lock _reloading = new();
    private volatile FrozenDictionary<string, Entry> _byPrefix = FrozenDictionary<string, Entry>.Empty;
    private volatile FrozenDictionary<string, Entry> _byId = FrozenDictionary<string, Entry>.Empty;

    public KeyRing(ConfigStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
        Reload();
    }

    /// <summary>Reads every key from the store again (after a create or a delete); last-used times carry over.</summary>
    public void Reload()
    {
        lock (_reloading)
        {
            var previous = _byId;
            var entries = _store.ListKeys().Select(k =>
            {
                var entry = new Entry(k, k.ExpiresAt is null ? null : DateTimeOffset.Parse(k.ExpiresAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal));
                if (previous.TryGetValue(k.Id, out var old) && old.Record.SecretHash.AsSpan().SequenceEqual(k.SecretHash))
                {
                    entry.LastUsedTicks = Volatile.Read(ref old.LastUsedTicks);
                    entry.LastUsedTick = Volatile.Read(ref old.LastUsedTick);
                    entry.Secret = old.Secret;
                }

                return entry;
            }).ToList();
            _byId = entries.ToFrozenDictionary(e => e.Record.Id, StringComparer.Ordinal);
            _byPrefix = entries.ToFrozenDictionary(e => e.Record.Prefix, StringComparer.Ordinal);
        }
    }

    /// <summary>When the key was last accepted since this process started (to the second), or null.</summary>
    public DateTimeOffset? LastUsed(string id) =>
        _byId.TryGetValue(id, out var entry) && Volatile.Read(ref entry.LastUsedTicks) is > 0 and var ticks ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;

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
    public ApiKeyRecord? Verify(ReadOnlySpan<char> presented, string kind, out string? problem) =>
        Find(presented, kind, out problem)?.Record;

    /// <summary>
    /// The traffic key <paramref name="presented"/> is, as handlers see it (PERF: one instance per key, made when the ring
    /// is built, so a request with a key costs no allocation); otherwise null and <paramref name="problem"/> says why.
    /// </summary>
    public ApiKeyInfo? VerifyTraffic(ReadOnlySpan<char> presented, out string? problem) =>
        Find(presented, ApiKeyRecord.Traffic, out problem)?.Caller;

    private Entry? Find(ReadOnlySpan<char> presented, string kind, out string? problem)
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

        var prefix = presented.Slice(tag.Length, PrefixLength);
        var secret = presented[(tag.Length + PrefixLength + 1)..];
        if (!_byPrefix.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(prefix, out var entry) || entry.Record.Kind != kind || !Matches(entry, secret))
        {
            problem = "unknown or revoked key";
            return null;
        }

        if (entry.Expires is { } expires && _time.GetUtcNow() >= expires)
        {
            problem = $"key '{entry.Record.Name}' expired at {expires:yyyy-MM-ddTHH:mm:ssZ}";
            return null;
        }

        // PERF: kept to the second and written at most once a second, so concurrent requests with one key do not bounce
        // its cache line; the monotonic millisecond count says when a second has passed, so most requests read no clock.
        var tick = Environment.TickCount64;
        if (tick - Volatile.Read(ref entry.LastUsedTick) >= 1000 || Volatile.Read(ref entry.LastUsedTicks) == 0)
        {
            Volatile.Write(ref entry.LastUsedTick, tick);
            Volatile.Write(ref entry.LastUsedTicks, _time.GetUtcNow().UtcTicks);
        }

        problem = null;
        return entry;
    }

    /// <summary>The secret against the entry's: its kept bytes once known, else its hash (constant time either way).</summary>
    private static bool Matches(Entry entry, ReadOnlySpan<char> secret)
    {
        // Secrets are base64url (ASCII): one byte a character.
        Span<byte> utf8 = stackalloc byte[SecretLength];
        if (secret.Length != SecretLength || Encoding.ASCII.GetBytes(secret, utf8) != SecretLength)
        {
            return false;
        }

        if (Volatile.Read(ref entry.Secret) is { } known)
        {
            return ConstantTime.Equals(utf8, known);
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8, hash);
        if (!ConstantTime.Equals(hash, entry.Record.SecretHash))
        {
            return false;
        }

        Volatile.Write(ref entry.Secret, utf8.ToArray());
        return true;
    }

    private static byte[] Hash(ReadOnlySpan<char> secret)
    {
        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(secret.Length)];
        var length = Encoding.UTF8.GetBytes(secret, utf8);
        return SHA256.HashData(utf8[..length]);
    }

    /// <summary>A key in memory: its record, its expiry, the secret once a request proved it, when it was last used.</summary>
    private sealed class Entry(ApiKeyRecord record, DateTimeOffset? expires)
    {
        public ApiKeyRecord Record { get; } = record;

        public DateTimeOffset? Expires { get; } = expires;

        public ApiKeyInfo Caller { get; } = new(record.Id, record.Name, record.Scopes);

        // Fields, not properties: read and written with Volatile by concurrent requests.
        public byte[]? Secret;
        public long LastUsedTicks; // wall clock (UTC ticks), for the admin API
        public long LastUsedTick; // Environment.TickCount64 when LastUsedTicks was written
    }
}
