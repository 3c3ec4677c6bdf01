using Edge.Gateway.Handlers;
using Edge.Sdk;

namespace Edge.Gateway;

/// <summary>
/// Sends a <see cref="Response.Stream"/>: the handler's writer runs with the response as its sink, each write going out
/// as a chunk, then its trailers. The handler version stays counted in until the stream ends, so a swap never unloads
/// code that is still streaming.
/// </summary>
internal static class StreamResponder
{
    public static async Task WriteAsync(HttpContext http, Response response, EndpointLog log, string requestId)
    {
        ResponseWriter.WriteHead(http, response, withContentType: true);

        // HTTP/1.1 (not HEAD): edge frames the chunks itself, so the body can end with trailers; Kestrel leaves a body
        // alone when the application set Transfer-Encoding: chunked.
        var chunked = HttpProtocol.IsHttp11(http.Request.Protocol) && !HttpMethods.IsHead(http.Request.Method);
        if (chunked)
        {
            http.Response.Headers.TransferEncoding = "chunked";
        }

        var stream = new ResponseStream(http.Response, http.RequestAborted, chunked);
        var write = (Func<ResponseStream, Task>)response.Body!;
        try
        {
            await write(stream);
            await stream.FinishAsync();
            await http.Response.CompleteAsync();
        }
        catch (Exception) when (http.RequestAborted.IsCancellationRequested)
        {
            log.Info($"the client went away after {stream.BytesWritten} streamed byte(s)", requestId);
        }
        catch (Exception ex) when (!http.Response.HasStarted)
        {
            // Nothing reached the client yet: it still gets a proper error.
            http.Response.Clear();
            http.Response.Headers[RequestIds.HeaderName] = requestId;
            if (ex is HandlerError handlerError)
            {
                await ResponseWriter.WriteAsync(http, handlerError.ToResponse(), System.Text.Json.JsonSerializerOptions.Web);
                return;
            }

            log.Error($"the stream's writer failed before sending anything: {ex}", requestId);
            await ResponseWriter.WriteErrorAsync(http, 500, "internal error: the handler's stream failed (see the endpoint's log)", requestId);
        }
        catch (Exception ex)
        {
            // Part of the body is out: the only honest signal left is to cut the connection (no clean last chunk).
            log.Error($"the stream failed after {stream.BytesWritten} byte(s); the connection was cut: {ex}", requestId);
            http.Abort();
        }
    }
}
