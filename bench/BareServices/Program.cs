// GET /pg/{id}: one primary-key read from PostgreSQL, the row as a JSON object.
// GET /redis/{key}: one Redis GET, the value as text.
// Connection settings come from the environment (BENCH_PG, BENCH_REDIS), as bench/services.py sets them.
using System.Text.Json;
using Npgsql;
using StackExchange.Redis;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();

var pg = NpgsqlDataSource.Create(Environment.GetEnvironmentVariable("BENCH_PG") ?? throw new InvalidOperationException("BENCH_PG is not set"));
// The same client settings as edge's redis connector: one connection (no pub/sub), no tie-breaker key,
// connected on first use.
var redisOptions = ConfigurationOptions.Parse(Environment.GetEnvironmentVariable("BENCH_REDIS") ?? throw new InvalidOperationException("BENCH_REDIS is not set"));
redisOptions.CommandMap = CommandMap.Create(["SUBSCRIBE"], available: false);
redisOptions.TieBreaker = "";
redisOptions.ConfigurationChannel = "";
redisOptions.AbortOnConnectFail = false;
redisOptions.ClientName = "bare";
var redis = new Lazy<Task<ConnectionMultiplexer>>(() => ConnectionMultiplexer.ConnectAsync(redisOptions));

app.MapGet("/pg/{id:int}", async (int id, HttpContext http) =>
{
    await using var command = pg.CreateCommand("SELECT id, name, price FROM bench_items WHERE id = @id");
    command.Parameters.AddWithValue("id", id);
    await using var reader = await command.ExecuteReaderAsync();
    if (!await reader.ReadAsync())
    {
        return Results.NotFound();
    }

    var row = new Dictionary<string, object?>(reader.FieldCount);
    for (var i = 0; i < reader.FieldCount; i++)
    {
        row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
    }

    return Results.Json(row);
});

app.MapGet("/redis/{key}", async (string key) =>
{
    var cache = (await redis.Value.ConfigureAwait(false)).GetDatabase();
    var value = await cache.StringGetAsync(key).ConfigureAwait(false);
    return value.IsNull ? Results.NotFound() : Results.Text((string)value!, "text/plain; charset=utf-8");
});

app.Run();
