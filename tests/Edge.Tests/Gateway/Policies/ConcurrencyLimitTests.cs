using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Policies;

/// <summary><c>max_concurrency</c> with its queue on the real binary, and a wrk flood that must not starve other endpoints.</summary>
[Collection(PolicyCollection.Name)]
public sealed partial class ConcurrencyLimitTests(PolicyGatewayFixture fixture)
{
    private const string Streaming = """
        Response Handle(Context ctx, Request req) => Response.Stream(200, async s =>
        {
            for (var i = 0; i < 8; i++)
            {
                await s.WriteAsync("tick\n");
                await Task.Delay(100);
            }
        }, "text/plain");
        """;

    private readonly EdgeProcess _edge = fixture.Edge;

    [Fact]
    public async Task MaxConcurrency2Queue1_FiveAtOnce_ThreeServedTwoRefusedWith503()
    {
        // Arrange
        var (_, path) = await PolicyEndpoints.DeployAsync(_edge, PolicyEndpoints.Slow, new { max_concurrency = 2, queue_limit = 1, queue_timeout_ms = 10_000 });

        // Act
        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => _edge.Gateway.GetAsync(path + "?ms=1000")));
        var peak = await (await _edge.Gateway.GetAsync(path + "?report=1")).Content.ReadAsStringAsync();

        // Assert
        responses.Count(r => r.StatusCode == HttpStatusCode.OK).ShouldBe(3);
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
        refused.Count.ShouldBe(2);
        foreach (var response in refused)
        {
            var body = await response.ShouldBeGatewayErrorAsync(HttpStatusCode.ServiceUnavailable);
            body.Str("error").ShouldContain("limit of 2 concurrent requests and its queue of 1 is full");
            response.Headers.RetryAfter!.Delta.ShouldBe(TimeSpan.FromSeconds(1));
        }

        peak.ShouldBe("2");
    }

    [Fact]
    public async Task QueueTimeout_NoSlotFreesInTime_503AfterTheTimeoutNotTheHandler()
    {
        // Arrange
        var (_, path) = await PolicyEndpoints.DeployAsync(_edge, PolicyEndpoints.Slow, new { max_concurrency = 1, queue_limit = 5, queue_timeout_ms = 200 });
        var holder = _edge.Gateway.GetAsync(path + "?ms=2000");
        await Task.Delay(300);

        // Act
        var clock = Stopwatch.StartNew();
        using var waited = await _edge.Gateway.GetAsync(path + "?ms=10");
        var elapsed = clock.Elapsed;

        // Assert
        var body = await waited.ShouldBeGatewayErrorAsync(HttpStatusCode.ServiceUnavailable);
        body.Str("error").ShouldContain("queue timeout of 200 ms");
        elapsed.ShouldBeGreaterThan(TimeSpan.FromMilliseconds(150));
        elapsed.ShouldBeLessThan(TimeSpan.FromMilliseconds(1500));
        (await holder).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task StreamedBody_HoldsItsSlotUntilItEnds()
    {
        // Arrange
        var (_, path) = await PolicyEndpoints.DeployAsync(_edge, Streaming, new { max_concurrency = 1, queue_limit = 0 });
        using var streaming = await _edge.Gateway.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);

        // Act
        using var during = await _edge.Gateway.GetAsync(path);
        var text = await streaming.Content.ReadAsStringAsync();
        using var after = await _edge.Gateway.GetAsync(path);

        // Assert
        streaming.StatusCode.ShouldBe(HttpStatusCode.OK);
        await during.ShouldBeGatewayErrorAsync(HttpStatusCode.ServiceUnavailable);
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length.ShouldBe(8);
        after.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task WrkFloodOnASaturatedSlowEndpoint_FastEndpointKeepsAnswering()
    {
        // Arrange
        var (_, slow) = await PolicyEndpoints.DeployAsync(_edge, PolicyEndpoints.Slow, new { max_concurrency = 2, queue_limit = 2, queue_timeout_ms = 100 });
        var fast = Unique.Path();
        await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = fast, Code = PolicyEndpoints.ClientIp });
        var unloaded = await LatenciesAsync(fast, 200);

        // Act: 32 connections hammer the slow endpoint (2 slots, 2 queued) while the fast one is measured.
        using var wrk = Process.Start(new ProcessStartInfo("wrk", ["-t1", "-c32", "-d6s", $"{_edge.GatewayBase}{slow.TrimStart('/')}?ms=300"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = wrk.StandardOutput.ReadToEndAsync();
        await Task.Delay(1000);
        var loaded = await LatenciesAsync(fast, 300);
        await wrk.WaitForExitAsync();
        var report = await output;
        var peak = await ReportAsync(slow);

        // Assert: the flood was refused fast (503s), never ran more than 2 at once, and the fast endpoint answered.
        wrk.ExitCode.ShouldBe(0, report + await wrk.StandardError.ReadToEndAsync());
        var non2xx = NonSuccess().Match(report);
        non2xx.Success.ShouldBeTrue(report);
        long.Parse(non2xx.Groups[1].Value, CultureInfo.InvariantCulture).ShouldBeGreaterThan(100, report);
        peak.ShouldBe("2");
        loaded.Count.ShouldBe(300);
        var p99 = Percentile(loaded, 0.99);
        p99.ShouldBeLessThan(TimeSpan.FromMilliseconds(250), $"unloaded p99 {Percentile(unloaded, 0.99).TotalMilliseconds:F2} ms; wrk: {report}");
    }

    /// <summary>The slow endpoint's peak; wrk's last requests may still hold the slots (up to 300 ms) after it exits.</summary>
    private async Task<string> ReportAsync(string slow)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var response = await _edge.Gateway.GetAsync(slow + "?report=1");
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 50)
            {
                response.StatusCode.ShouldBe(HttpStatusCode.OK, body);
                return body;
            }

            await Task.Delay(100);
        }
    }

    private async Task<List<TimeSpan>> LatenciesAsync(string path, int count)
    {
        var latencies = new List<TimeSpan>(count);
        for (var i = 0; i < count; i++)
        {
            var clock = Stopwatch.StartNew();
            using var response = await _edge.Gateway.GetAsync(path);
            await response.Content.ReadAsStringAsync();
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            latencies.Add(clock.Elapsed);
        }

        return latencies;
    }

    private static TimeSpan Percentile(List<TimeSpan> values, double p) =>
        values.Order().ElementAt(Math.Min(values.Count - 1, (int)Math.Ceiling(p * values.Count) - 1));

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+(\d+)")]
    private static partial Regex NonSuccess();
}
