using Edge.Gateway.Config;
using Edge.Gateway.Keys;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Keys;

/// <summary>The key ring in memory: the secret kept after its first match must never widen what is accepted.</summary>
public sealed class KeyRingTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly ConfigStore _store;
    private readonly KeyRing _ring;

    public KeyRingTests()
    {
        _store = ConfigStore.Open(Path.Combine(_dir.Path, "edge.db"), TimeProvider.System);
        _ring = new KeyRing(_store, TimeProvider.System);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Verify_AfterAMatch_WrongSecretsStillRefusedAndLastUsedKeptAcrossReload()
    {
        // Arrange
        var key = Insert("k1");
        var wrongSecret = key[..^1] + (key[^1] == 'a' ? 'b' : 'a');
        var nonAscii = key[..^1] + "é";

        // Act
        var first = _ring.Verify(key, ApiKeyRecord.Traffic, out _);
        var second = _ring.Verify(key, ApiKeyRecord.Traffic, out _);
        var wrong = _ring.Verify(wrongSecret, ApiKeyRecord.Traffic, out var wrongProblem);
        var accented = _ring.Verify(nonAscii, ApiKeyRecord.Traffic, out _);
        var asAdmin = _ring.Verify(key, ApiKeyRecord.Admin, out _);
        var usedBefore = _ring.LastUsed("k1");
        Insert("k2");
        _ring.Reload();
        var usedAfter = _ring.LastUsed("k1");

        // Assert
        first.ShouldNotBeNull().Id.ShouldBe("k1");
        second.ShouldNotBeNull().Id.ShouldBe("k1");
        wrong.ShouldBeNull();
        wrongProblem.ShouldBe("unknown or revoked key");
        accented.ShouldBeNull();
        asAdmin.ShouldBeNull();
        usedBefore.ShouldNotBeNull();
        usedAfter.ShouldBe(usedBefore);
        _ring.LastUsed("k2").ShouldBeNull();
    }

    [Fact]
    public void Verify_RevokedAfterUse_RefusedAtOnce()
    {
        // Arrange
        var key = Insert("k1");
        _ring.Verify(key, ApiKeyRecord.Traffic, out _).ShouldNotBeNull();

        // Act
        _store.DeleteKey(ApiKeyRecord.Traffic, "k1").ShouldBeTrue();
        _ring.Reload();
        var after = _ring.Verify(key, ApiKeyRecord.Traffic, out var problem);

        // Assert
        after.ShouldBeNull();
        problem.ShouldBe("unknown or revoked key");
        _ring.LastUsed("k1").ShouldBeNull();
    }

    private string Insert(string id)
    {
        var (key, prefix, hash) = KeyRing.Generate(ApiKeyRecord.Traffic);
        _store.InsertKey(new ApiKeyRecord
        {
            Id = id,
            Kind = ApiKeyRecord.Traffic,
            Name = id,
            Prefix = prefix,
            SecretHash = hash,
            Scopes = ["*"],
            CreatedAt = "2026-11-21T00:00:00Z",
        });
        _ring.Reload();
        return key;
    }
}
