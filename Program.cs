using Edge.Gateway.Hosting;

if (args.Length > 0 && args[0] == "import")
{
    return await ImportCommand.RunAsync(args[1..], Environment.GetEnvironmentVariable, Console.Out, Console.Error);
}

var parsed = CommandLine.Parse(args, Environment.GetEnvironmentVariable);
if (parsed.Options is not { } options)
{
    (parsed.ExitCode == 0 ? Console.Out : Console.Error).WriteLine(parsed.Message);
    return parsed.ExitCode;
}

var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
if (builder.AddGateway(options) is { } failure)
{
    Console.Error.WriteLine(failure);
    return 1;
}

var app = builder.Build();
app.MapGateway();
app.MapAdmin();
return await app.RunGatewayAsync();
