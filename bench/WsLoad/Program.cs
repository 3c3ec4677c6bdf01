// WsLoad URL CONNECTIONS SECONDS [MESSAGE_BYTES]: opens CONNECTIONS WebSockets to URL; each sends a text message and
// waits for its echo, again and again, for SECONDS. Prints one JSON line: echoed messages per second, latency
// percentiles of the round trips, and errors (a wrong echo counts as one).
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

if (args.Length < 3)
{
    Console.Error.WriteLine("usage: WsLoad URL CONNECTIONS SECONDS [MESSAGE_BYTES]");
    return 2;
}

var url = new Uri(args[0]);
var connections = int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
var seconds = double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
var size = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 32;
var payload = Encoding.UTF8.GetBytes(new string('x', size));

var sockets = new List<ClientWebSocket>();
for (var i = 0; i < connections; i++)
{
    var ws = new ClientWebSocket();
    await ws.ConnectAsync(url, CancellationToken.None);
    sockets.Add(ws);
}

var errors = 0L;
var samples = new List<double>[connections];
var counts = new long[connections];
var stop = Stopwatch.StartNew();
var duration = TimeSpan.FromSeconds(seconds);

async Task RunAsync(int index)
{
    var ws = sockets[index];
    var buffer = new byte[size + 16];
    var local = samples[index] = new List<double>(1 << 16);
    while (stop.Elapsed < duration)
    {
        var started = Stopwatch.GetTimestamp();
        await ws.SendAsync(payload, WebSocketMessageType.Text, true, CancellationToken.None);
        var length = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await ws.ReceiveAsync(buffer.AsMemory(length), CancellationToken.None);
            length += result.Count;
        }
        while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

        if (result.MessageType == WebSocketMessageType.Close || length != size)
        {
            Interlocked.Increment(ref errors);
            return;
        }

        counts[index]++;
        if ((counts[index] & 15) == 0)
        {
            local.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }
}

await Task.WhenAll(Enumerable.Range(0, connections).Select(i => Task.Run(() => RunAsync(i))));
var elapsed = stop.Elapsed.TotalSeconds;
foreach (var ws in sockets)
{
    try
    {
        await ws.CloseAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
    }
    catch (WebSocketException)
    {
        errors++;
    }
}

var all = samples.Where(s => s is not null).SelectMany(s => s).Order().ToArray();
double Percentile(double p) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)(p * all.Length))];
Console.WriteLine(JsonSerializer.Serialize(new
{
    messages_per_second = counts.Sum() / elapsed,
    messages = counts.Sum(),
    p50_ms = Percentile(0.50),
    p99_ms = Percentile(0.99),
    errors,
}));
return errors == 0 ? 0 : 1;
