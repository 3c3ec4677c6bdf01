using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Edge.Gateway;
using Edge.Gateway.Config;
using Edge.Gateway.Handlers;
using Edge.Gateway.Keys;
using Edge.Gateway.Policies;
using Microsoft.AspNetCore.Http;

namespace Edge.Bench;

/// <summary>
/// What an endpoint's <c>auth: api_key</c> adds to a request: <see cref="EndpointAuthorizer.Check"/> for a valid
/// traffic key in <c>X-API-Key</c> (the key ring lookup by prefix, the SHA-256 of the secret compared in constant time,
/// the expiry and scope checks, the last-used time), and that check followed by a <c>rate_limit</c> keyed by the
/// verified key (the whole cost the "API-key check plus rate limiting" figure is about; the limiter runs on a
/// <see cref="FastClock"/> so every call is admitted). The baseline is the SHA-256 alone.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ApiKeyBenchmarks
{
    private readonly DefaultHttpContext _http = new();
    private string _folder = null!;
    private ConfigStore _store = null!;
    private KeyRing _ring = null!;
    private EndpointLimits _limits = null!;
    private string _secret = null!;
    private EndpointPolicies _byKey = null!;

    [GlobalSetup]
    public void Setup()
    {
        _folder = Directory.CreateTempSubdirectory("edge-bench-keys").FullName;
        _store = ConfigStore.Open(Path.Combine(_folder, "edge.db"), TimeProvider.System);
        var (key, prefix, hash) = KeyRing.Generate(ApiKeyRecord.Traffic);
        _store.InsertKey(new ApiKeyRecord
        {
            Id = "k1",
            Kind = ApiKeyRecord.Traffic,
            Name = "bench",
            Prefix = prefix,
            SecretHash = hash,
            Scopes = ["*"],
            CreatedAt = "2026-11-21T00:00:00Z",
        });
        _ring = new KeyRing(_store, TimeProvider.System);
        _limits = EndpointLimits.Default with { Auth = EndpointAuth.ApiKey, Name = "bench" };
        _http.Request.Headers["X-API-Key"] = key;
        _secret = key[(key.LastIndexOf('_') + 1)..];
        _byKey = BenchPolicies.Build("""{"permits":1000000,"window_seconds":1,"key":"api_key"}""");
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_folder, recursive: true);

    [Benchmark(Baseline = true)]
    public byte[] Sha256Only() => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(_secret));

    [Benchmark]
    public bool CheckApiKey() => EndpointAuthorizer.Check(_http, _limits, "e1", _ring, out _) is null;

    [Benchmark]
    public bool CheckApiKeyAndRateLimitByKey() =>
        EndpointAuthorizer.Check(_http, _limits, "e1", _ring, out var key) is null &&
        _byKey.AdmitAsync(_http, "id", key!.Id).Result.Admitted;
}
