using System.Diagnostics;
using System.Net;
using Edge.Tests.Common;
using Npgsql;
using Xunit.Abstractions;

namespace Edge.Tests.Services.Sql;

/// <summary>
/// max_in_flight bounds what the database sees, measured from the server side while 200 requests queue for
/// 10 slots. For MySQL this also shows that the blocking driver, run on pool threads inside the gate, keeps up.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class SqlConcurrencyTests(GatewayFixture fixture, ITestOutputHelper output)
{
    private const int Requests = 200;
    private const int MaxInFlight = 10;

    private readonly EdgeProcess _edge = fixture.Edge;

    [Theory]
    [InlineData("postgres")]
    [InlineData("mysql")]
    public async Task SlowQueries_200Concurrent_AllSucceed_BackendNeverSeesMoreThanMaxInFlight(string engine)
    {
        // Arrange: a marker literal in the SQL finds these queries in the server's activity view
        var marker = "edge_conc_" + Unique.Id();
        var sleep = engine == "postgres" ? "pg_sleep(0.2)" : "SLEEP(0.2)";
        var backend = SqlBackend.For(engine, _edge);
        var (serviceId, path) = await SqlHandlers.DeployAsync(
            _edge,
            backend.Service(Unique.Name(engine + "-conc"), new { max_in_flight = MaxInFlight, max_queue = 1000, call_timeout_ms = 120_000 }),
            $$"""
            async Task<Response> Handle(Context ctx, Request req)
            {
                await ctx.Database("db").QueryAsync("SELECT {{sleep}} AS slept, '{{marker}}' AS marker");
                return Response.Ok(new { done = true });
            }
            """,
            timeoutMs: 120_000);
        await using var active = await ActiveQueries.OpenAsync(backend, marker);
        using var stop = new CancellationTokenSource();
        var maxSeen = 0L;
        var samples = 0;
        var watching = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                maxSeen = Math.Max(maxSeen, await active.CountAsync());
                samples++;
                await Task.Delay(20);
            }
        });

        // Act
        var clock = Stopwatch.StartNew();
        var statuses = await Task.WhenAll(Enumerable.Range(0, Requests).Select(async _ =>
        {
            using var response = await _edge.Gateway.PostAsync(path, new StringContent("{}"));
            return response.StatusCode;
        }));
        var wall = clock.Elapsed;
        await stop.CancelAsync();
        await watching;
        var status = (await _edge.Admin.GetApiAsync($"/api/services/{serviceId}")).ShouldSucceed().Data.GetProperty("status");

        // Assert
        output.WriteLine($"{engine}: {Requests} requests in {wall.TotalMilliseconds:0} ms; at most {maxSeen} running on the server ({samples} samples); peak_in_flight {status.Num("peak_in_flight")}");
        statuses.Count(s => s == HttpStatusCode.OK).ShouldBe(Requests, string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{g.Key}: {g.Count()}")));
        maxSeen.ShouldBeLessThanOrEqualTo(MaxInFlight);
        maxSeen.ShouldBeGreaterThanOrEqualTo(MaxInFlight / 2, "the bound was actually reached");
        status.Num("peak_in_flight").ShouldBe(MaxInFlight);
        wall.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromSeconds(Requests * 0.2 / MaxInFlight * 0.95));
    }

    /// <summary>Counts the running queries that carry the marker, from a separate session.</summary>
    private sealed class ActiveQueries : IAsyncDisposable
    {
        private readonly SqlBackend _backend;
        private readonly string _marker;
        private readonly NpgsqlDataSource? _postgres;
        private readonly NpgsqlConnection? _connection;

        private ActiveQueries(SqlBackend backend, string marker, NpgsqlDataSource? postgres, NpgsqlConnection? connection)
        {
            _backend = backend;
            _marker = marker;
            _postgres = postgres;
            _connection = connection;
        }

        public static async Task<ActiveQueries> OpenAsync(SqlBackend backend, string marker)
        {
            if (backend.Engine != "postgres")
            {
                return new ActiveQueries(backend, marker, null, null);
            }

            var source = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder
            {
                Host = TestServices.Get("POSTGRES_HOST"),
                Port = TestServices.Port("POSTGRES_PORT"),
                Database = TestServices.Get("POSTGRES_DATABASE"),
                Username = TestServices.Get("POSTGRES_USER"),
                Password = TestServices.Get("POSTGRES_PASSWORD"),
                SslMode = SslMode.Disable,
            }.ConnectionString);
            return new ActiveQueries(backend, marker, source, await source.OpenConnectionAsync());
        }

        public async Task<long> CountAsync()
        {
            if (_connection is null)
            {
                // mariadb's own client; this session's query carries the marker too, hence the ID filter.
                var rows = await _backend.ClientAsync(
                    $"SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE COMMAND = 'Query' AND ID <> CONNECTION_ID() AND INFO LIKE '%{_marker}%'");
                return long.Parse(rows[0], System.Globalization.CultureInfo.InvariantCulture);
            }

            await using var count = new NpgsqlCommand(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE @marker", _connection);
            count.Parameters.AddWithValue("marker", $"%{_marker}%");
            return (long)(await count.ExecuteScalarAsync())!;
        }

        public async ValueTask DisposeAsync()
        {
            if (_connection is not null)
            {
                await _connection.DisposeAsync();
            }

            if (_postgres is not null)
            {
                await _postgres.DisposeAsync();
            }
        }
    }
}
