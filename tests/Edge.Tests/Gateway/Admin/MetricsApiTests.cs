using System.Diagnostics;
using System.Net;
using Edge.Gateway.Handlers;
using Edge.Gateway.Hosting;
using Edge.Tests.Common;

namespace Edge.Tests.Gateway.Admin;

[Collection(GatewayCollection.Name)]
public sealed class MetricsApiTests(GatewayFixture fixture)
{
    private const string Mixed = """
        async Task<Response> Handle(Context ctx, Request req)
        {
            if (req.Query.ContainsKey("slow"))
            {
                await Task.Delay(300);
            }

            var status = req.Query.TryGetValue("status", out var s) ? int.Parse(s) : 200;
            return Response.Text(status, "x");
        }
        """;

    private readonly EdgeProcess _edge = fixture.Edge;

    [Fact]
    public async Task EndpointMetrics_AfterMixedTraffic_CountsStatusesAndLatencies()
    {
        // Arrange
        var path = Unique.Path("metrics");
        var id = await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = Mixed });

        // Act
        for (var i = 0; i < 20; i++)
        {
            using var ok = await _edge.Gateway.GetAsync(path);
        }

        for (var i = 0; i < 3; i++)
        {
            using var failed = await _edge.Gateway.GetAsync(path + "?status=503");
            using var missing = await _edge.Gateway.GetAsync(path + "?status=404");
        }

        using (var slow = await _edge.Gateway.GetAsync(path + "?slow=1"))
        {
            slow.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var counted = await Eventually.HoldsAsync(
            async () => (await MetricsAsync(id, "?seconds=120&step=10")).GetProperty("totals").Num("requests") == 27, TimeSpan.FromSeconds(5));
        var metrics = await MetricsAsync(id, "?seconds=120&step=10");

        // Assert
        counted.ShouldBeTrue(metrics.GetRawText());
        metrics.Str("endpoint_id").ShouldBe(id);
        metrics.Num("step_seconds").ShouldBe(10);
        metrics.Bool("enabled").ShouldBeTrue();
        var totals = metrics.GetProperty("totals");
        totals.Num("errors").ShouldBe(3);
        totals.Num("client_errors").ShouldBe(3);
        var points = metrics.GetProperty("points").EnumerateArray().ToList();
        points.Count.ShouldBeInRange(12, 13);
        points.Sum(p => p.Num("requests")).ShouldBe(27);
        points.Sum(p => p.Num("errors")).ShouldBe(3);
        points.Zip(points.Skip(1)).ShouldAllBe(pair => pair.Second.Num("t") - pair.First.Num("t") == 10);
        points[^1].Num("t").ShouldBeLessThanOrEqualTo(DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        totals.Dbl("p50_ms").ShouldBeLessThan(100);
        totals.Dbl("p99_ms").ShouldBeInRange(220, 400, "the one 300 ms request is the slowest 1%");
        points.First(p => p.Num("requests") == 0).GetProperty("p50_ms").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.Null);
    }

    [Fact]
    public async Task AllMetrics_ListsEveryEndpointWithRateAndErrorRate()
    {
        // Arrange
        var path = Unique.Path("metrics-all");
        var id = await _edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = Mixed });
        for (var i = 0; i < 9; i++)
        {
            using var ok = await _edge.Gateway.GetAsync(path);
        }

        using (var failed = await _edge.Gateway.GetAsync(path + "?status=500"))
        {
            failed.StatusCode.ShouldBe(HttpStatusCode.InternalServerError);
        }

        // Act
        System.Text.Json.JsonElement mine = default;
        var counted = await Eventually.HoldsAsync(async () =>
        {
            var all = (await _edge.Admin.GetApiAsync("/api/metrics?seconds=60")).ShouldSucceed().Items;
            mine = all.Single(e => e.Str("endpoint_id") == id);
            return mine.Num("requests") == 10;
        }, TimeSpan.FromSeconds(5));

        // Assert
        counted.ShouldBeTrue(mine.GetRawText());
        mine.Str("name").ShouldNotBeNullOrEmpty();
        mine.Dbl("rps").ShouldBe(10 / 60.0, 0.001);
        mine.Dbl("error_rate").ShouldBe(0.1, 0.0001);
        mine.Dbl("p50_ms").ShouldBeGreaterThan(0);
        mine.Dbl("p99_ms").ShouldBeGreaterThanOrEqualTo(mine.Dbl("p50_ms"));
    }

    [Theory]
    [InlineData("?seconds=0")]
    [InlineData("?seconds=901")]
    [InlineData("?step=x")]
    public async Task EndpointMetrics_BadWindow_400(string query)
    {
        // Arrange
        var created = (await _edge.Admin.CreateEndpointAsync(new EndpointSpec { Path = Unique.Path("metrics-bad"), Code = Mixed })).ShouldSucceed();

        // Act
        var answer = await _edge.Admin.GetApiAsync($"/api/endpoints/{created.Id}/metrics{query}");

        // Assert
        answer.ShouldFail(HttpStatusCode.BadRequest).Error!.ShouldContain("between 1 and 900");
    }

    [Fact]
    public async Task EndpointMetrics_UnknownEndpoint_404() =>
        (await _edge.Admin.GetApiAsync("/api/endpoints/nope/metrics")).ShouldFail(HttpStatusCode.NotFound);

    [Fact]
    public async Task MetricsOff_CountsNothing()
    {
        // Arrange
        await using var edge = await EdgeProcess.StartAsync(new EdgeProcessOptions { ExtraArgs = ["--endpoint-metrics", "off"] });
        var path = Unique.Path("metrics-off");
        var id = await edge.Admin.DeployNewAsync(new EndpointSpec { Path = path, Code = Mixed });

        // Act
        for (var i = 0; i < 5; i++)
        {
            using var ok = await edge.Gateway.GetAsync(path);
            ok.StatusCode.ShouldBe(HttpStatusCode.OK);
        }

        var metrics = (await edge.Admin.GetApiAsync($"/api/endpoints/{id}/metrics")).ShouldSucceed().Data;

        // Assert
        metrics.Bool("enabled").ShouldBeFalse();
        metrics.GetProperty("totals").Num("requests").ShouldBe(0);
    }

    [Theory]
    [InlineData(new[] { "--endpoint-metrics", "off" }, null, false)]
    [InlineData(new[] { "--endpoint-metrics=on" }, "off", true)]
    [InlineData(new string[0], "off", false)]
    [InlineData(new string[0], null, true)]
    public void CommandLine_EndpointMetrics_FlagThenEnvironmentThenOn(string[] args, string? env, bool expected)
    {
        // Act
        var parsed = CommandLine.Parse(args, name => name == "EDGE_ENDPOINT_METRICS" ? env : null);

        // Assert
        parsed.Options!.EndpointMetrics.ShouldBe(expected);
    }

    [Fact]
    public void CommandLine_EndpointMetricsNotOnOrOff_Refused()
    {
        // Act
        var parsed = CommandLine.Parse(["--endpoint-metrics", "maybe"], _ => null);

        // Assert
        parsed.Options.ShouldBeNull();
        parsed.ExitCode.ShouldBe(2);
        parsed.Message!.ShouldContain("--endpoint-metrics must be on or off, got 'maybe'");
    }

    [Theory]
    [InlineData(0.001)]
    [InlineData(0.05)]
    [InlineData(1)]
    [InlineData(7.3)]
    [InlineData(250)]
    [InlineData(30_000)]
    public void Histogram_BucketMiddle_WithinAQuarterOfTheDuration(double milliseconds)
    {
        // Arrange
        var ticks = (long)(milliseconds * Stopwatch.Frequency / 1000.0);

        // Act
        var middle = LatencyHistogram.MillisecondsOf(LatencyHistogram.BucketOf(ticks));

        // Assert
        middle.ShouldBeInRange(milliseconds * 0.75, milliseconds * 1.25);
    }

    [Fact]
    public void Histogram_Quantiles_PickTheRightBuckets()
    {
        // Arrange
        var histogram = new long[LatencyHistogram.Buckets];
        histogram[LatencyHistogram.BucketOf(Stopwatch.Frequency / 1000)] = 99;
        histogram[LatencyHistogram.BucketOf(Stopwatch.Frequency)] = 1;

        // Act
        var p50 = LatencyHistogram.Quantile(histogram, 0.5);
        var p99 = LatencyHistogram.Quantile(histogram, 0.99);
        var p100 = LatencyHistogram.Quantile(histogram, 1);

        // Assert
        p50!.Value.ShouldBeInRange(0.75, 1.25);
        p99!.Value.ShouldBeInRange(0.75, 1.25);
        p100!.Value.ShouldBeInRange(750, 1250);
        LatencyHistogram.Quantile(new long[LatencyHistogram.Buckets], 0.5).ShouldBeNull();
    }

    [Fact]
    public void Record_ManyThreads_LosesNoCount()
    {
        // Arrange
        var metrics = new EndpointMetrics();

        // Act
        Parallel.For(0, 40_000, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => metrics.Record(i % 10 == 0 ? 500 : 200, Stopwatch.Frequency / 1000));
        var now = EndpointMetrics.NowSecond;
        var slots = metrics.Slots(now - 10, now);

        // Assert
        slots.Sum(s => s.Requests).ShouldBe(40_000);
        slots.Sum(s => s.Errors).ShouldBe(4_000);
        slots.Sum(s => s.Histogram.Sum()).ShouldBe(40_000);
    }

    private async Task<System.Text.Json.JsonElement> MetricsAsync(string id, string query) =>
        (await _edge.Admin.GetApiAsync($"/api/endpoints/{id}/metrics{query}")).ShouldSucceed().Data;
}
