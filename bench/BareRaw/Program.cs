// The same host builder as edge (Program.cs), so the comparison is of the per-request path alone.
var builder = WebApplication.CreateSlimBuilder(args);

// Console output costs throughput; only warnings and errors reach it.
builder.Logging.SetMinimumLevel(LogLevel.Warning);

var app = builder.Build();

// PERF: the body is serialised once; every request only copies these bytes.
var body = """{"message":"hello"}"""u8.ToArray();

app.Run(context =>
{
    var response = context.Response;
    response.StatusCode = StatusCodes.Status200OK;
    response.ContentType = "application/json; charset=utf-8";
    response.ContentLength = body.Length;
    return response.Body.WriteAsync(body, 0, body.Length);
});

app.Run();
