using System.Net.WebSockets;
using Edge.Gateway.Handlers;
using Edge.Sdk;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebSockets;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Edge.Gateway;

/// <summary>
/// Runs a <see cref="Response.WebSocket"/>: accepts the handshake (HTTP/1.1 upgrade or HTTP/2 extended CONNECT) and hands
/// the socket to the handler; the version stays counted in until the handler returns, so a swap never unloads code
/// that holds an open socket.
/// </summary>
internal static class WebSocketResponder
{
    /// <summary>Pings sent this often keep idle sockets (and the proxies on the way) open.</summary>
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(30);

    private const string RunKey = "edge.websocket.run";

    // PERF: the framework's WebSocket middleware runs only for requests whose handler asked for a socket, so plain
    // requests never pay for its per-request handshake feature.
    private static readonly WebSocketMiddleware Handshake = new(
        AcceptAsync,
        Options.Create(new WebSocketOptions { KeepAliveInterval = KeepAliveInterval }),
        NullLoggerFactory.Instance);

    public static Task RunAsync(HttpContext http, Response response, EndpointLog log, string requestId)
    {
        http.Items[RunKey] = ((Func<WebSocketSession, Task>)response.Body!, log, requestId);
        if (http.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true })
        {
            // The gateway routed the HTTP/2 handshake as GET; the framework's handshake expects the CONNECT it was.
            http.Request.Method = HttpMethods.Connect;
        }

        return Handshake.Invoke(http);
    }

    private static async Task AcceptAsync(HttpContext http)
    {
        var (run, log, requestId) = ((Func<WebSocketSession, Task>, EndpointLog, string))http.Items[RunKey]!;
        http.Items.Remove(RunKey);
        if (!http.WebSockets.IsWebSocketRequest)
        {
            await ResponseWriter.WriteErrorAsync(http, 400, "this endpoint speaks WebSocket: send a WebSocket handshake (Upgrade: websocket)", requestId);
            return;
        }

        using var socket = await http.WebSockets.AcceptWebSocketAsync();
        var session = new WebSocketSession(socket, http.RequestAborted);
        try
        {
            await run(session);
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await session.CloseAsync(1000, "");
            }
        }
        catch (Exception) when (http.RequestAborted.IsCancellationRequested || socket.State is WebSocketState.Aborted or WebSocketState.Closed)
        {
            log.Info("the WebSocket connection ended while the handler was using it", requestId);
        }
        catch (Exception ex)
        {
            log.Error($"the WebSocket handler failed: {ex}", requestId);
            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await session.CloseAsync(1011, "internal error");
            }
        }
    }
}
