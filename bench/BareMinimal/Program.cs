using Edge.Bench.BareMinimal;

// The same host builder as edge (Program.cs), so the comparison is of the per-request path alone.
var builder = WebApplication.CreateSlimBuilder(args);

// Console output costs throughput; only warnings and errors reach it.
builder.Logging.SetMinimumLevel(LogLevel.Warning);

var app = builder.Build();

app.MapGet("/hello", () => Results.Json(new Hello("hello"), AppJsonContext.Default.Hello));

app.Run();
