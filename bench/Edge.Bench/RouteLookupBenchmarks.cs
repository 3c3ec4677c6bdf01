using BenchmarkDotNet.Attributes;
using Edge.Gateway.Routing;

namespace Edge.Bench;

/// <summary>
/// <see cref="RouteTable.Match"/> against tables of growing size. Issue targets: under 1 µs at 10,000 routes,
/// and no allocation at all for a literal route (the Allocated column must read "-").
/// </summary>
[MemoryDiagnoser]
public class RouteLookupBenchmarks
{
    // Routes are spread over three hosts and "*"; every lookup below names the first host, on which
    // resource k lives when k % 4 == 0, so hits are found on the exact host at the first probe.
    private const string Host = "api.example.com";
    private static readonly string[] Hosts = [Host, "shop.example.com", "admin.example.com", RouteTable.AnyHost];

    private RouteTable _table = RouteTable.Empty;
    private Dictionary<string, object> _naive = [];
    private string _literalPath = "";
    private string _oneParameterPath = "";
    private string _twoParameterPath = "";
    private string _missPath = "";

    [Params(10, 1_000, 10_000)]
    public int RouteCount { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var routes = Routes(RouteCount).ToList();
        _table = RouteTable.Build(routes);
        _naive = routes.Where(r => r.Pattern.IsLiteral).DistinctBy(r => r.Pattern.Text).ToDictionary(r => r.Pattern.Text, r => (object)r.Target);

        // The last resource on the looked-up host that has all four of its routes, so large tables are
        // not probed at their first entries only.
        var k = Math.Max(0, (RouteCount / 4) - 1);
        k -= k % Hosts.Length;
        _literalPath = $"/api/v1/resource{k}/items";
        _oneParameterPath = $"/api/v1/resource{k}/items/42";
        _twoParameterPath = $"/api/v1/resource{k}/items/42/parts/7";
        _missPath = "/api/v1/unknown/items";

        Expect(_table.Match(Host, "GET", _literalPath), RouteMatchKind.Found, "literal hit", parameters: 0);
        Expect(_table.Match(Host, "GET", _oneParameterPath), RouteMatchKind.Found, "one-parameter hit", parameters: 1);
        Expect(_table.Match(Host, "GET", _twoParameterPath), RouteMatchKind.Found, "two-parameter hit", parameters: 2);
        Expect(_table.Match(Host, "GET", _missPath), RouteMatchKind.NotFound, "404", parameters: 0);
        Expect(_table.Match(Host, "DELETE", _literalPath), RouteMatchKind.MethodNotAllowed, "405", parameters: 0);
        if (NaiveDictionary() is null)
        {
            throw new InvalidOperationException("the naive dictionary does not hold the literal path");
        }
    }

    /// <summary>What a naive dispatch costs: one string-keyed dictionary probe, no host, no method.</summary>
    [Benchmark(Baseline = true)]
    public object? NaiveDictionary() => _naive.GetValueOrDefault(_literalPath);

    [Benchmark]
    public object? LiteralHit() => Consumed(_table.Match(Host, "GET", _literalPath));

    [Benchmark]
    public object? OneParameter() => Consumed(_table.Match(Host, "GET", _oneParameterPath));

    [Benchmark]
    public object? TwoParameters() => Consumed(_table.Match(Host, "GET", _twoParameterPath));

    [Benchmark]
    public object? NotFound() => Consumed(_table.Match(Host, "GET", _missPath));

    /// <summary>The literal path exists for GET and POST only.</summary>
    [Benchmark]
    public object? MethodNotAllowed() => Consumed(_table.Match(Host, "DELETE", _literalPath));

    /// <summary>
    /// Four routes per resource k, on host k % 4: GET and POST on the literal collection path, GET on one item
    /// (one parameter) and on one of its parts (two parameters). Half literal, half parameter routes.
    /// </summary>
    private static IEnumerable<RouteDefinition> Routes(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var k = i / 4;
            var (method, text) = (i % 4) switch
            {
                0 => ("GET", $"/api/v1/resource{k}/items"),
                1 => ("POST", $"/api/v1/resource{k}/items"),
                2 => ("GET", $"/api/v1/resource{k}/items/{{id}}"),
                _ => ("GET", $"/api/v1/resource{k}/items/{{id}}/parts/{{part}}"),
            };

            if (!RoutePattern.TryParse(text, out var pattern, out var error))
            {
                throw new InvalidOperationException($"{text}: {error}");
            }

            yield return new RouteDefinition(Hosts[k % Hosts.Length], method, pattern!, new BenchRouteTarget($"{method} {text}"));
        }
    }

    // RouteMatch is internal, and a public benchmark cannot return it: hand back what the gateway reads of it.
    private static object? Consumed(in RouteMatch match) => (object?)match.Parameters ?? (object?)match.Target ?? match.Allow;

    private static void Expect(RouteMatch match, RouteMatchKind kind, string what, int parameters)
    {
        if (match.Kind != kind || (match.Parameters?.Count ?? 0) != parameters)
        {
            throw new InvalidOperationException($"{what}: expected {kind} with {parameters} parameter(s), got {match.Kind} with {match.Parameters?.Count ?? 0}");
        }
    }
}
