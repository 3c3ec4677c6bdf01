using System.Text;

namespace Edge.Tests.Gateway.Bus;

/// <summary>One SSE client on a real socket: reads <c>data:</c> lines as they come.</summary>
internal sealed class BusSse : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly StreamReader _reader;

    private BusSse(HttpResponseMessage response, StreamReader reader)
    {
        _response = response;
        _reader = reader;
    }

    public static async Task<BusSse> OpenAsync(HttpClient client, string pathAndQuery)
    {
        var response = await client.GetAsync(pathAndQuery, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync(), Encoding.UTF8);
        return new BusSse(response, reader);
    }

    /// <summary>The next event's data (heartbeats and comments skipped); throws after <paramref name="timeout"/>.</summary>
    public async Task<string> NextAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (true)
        {
            var line = await _reader.ReadLineAsync(cancel.Token) ?? throw new EndOfStreamException("the event stream ended");
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                return line["data: ".Length..];
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
