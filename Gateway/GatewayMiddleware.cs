using System.Diagnostics;
using Edge.Gateway.Bus;
using Edge.Gateway.Handlers;
using Edge.Gateway.Hosting;
using Edge.Gateway.Policies;
using Edge.Gateway.Routing;
using Edge.Sdk;
using Edge.Services;
using Microsoft.AspNetCore.Http.Features;

namespace Edge.Gateway;

/// <summary>
/// The whole per-request path on the gateway port: request id, route lookup, body limit, handler call with
/// its timeout, and the response. Expected failures are answered here as values, never rethrown.
/// </summary>
internal sealed partial class GatewayMiddleware(RouteTableHolder routes, TimeoutScheduler timeouts, ServiceManager services, SharedStateStore state, EdgeOptions options, Keys.KeyRing keys, BusHub bus, ILogger<GatewayMiddleware> logger)
{
    private readonly int _maxInFlight = options.MaxConcurrentRequests;
    private readonly IReadOnlyList<System.Net.IPNetwork> _proxies = options.TrustedProxies;
    private readonly bool _metrics = options.EndpointMetrics;
    private int _inFlight;

    /// <summary>Gateway requests being served now (counted only when <c>--max-concurrent-requests</c> is set).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public Task InvokeAsync(HttpContext http)
    {
        if (_proxies.Count > 0)
        {
            // Behind trusted proxies the client is the one they name; everyone downstream (ClientIp, logs) sees it.
            var headers = http.Request.Headers;
            http.Connection.RemoteIpAddress = ForwardedClient.Resolve(http.Connection.RemoteIpAddress, headers["Forwarded"], headers["X-Forwarded-For"], _proxies);
        }

        // PERF: no counter, and no extra state machine, unless a global limit is set.
        return _maxInFlight == 0 ? ServeAsync(http) : ServeLimitedAsync(http);
    }

    private async Task ServeLimitedAsync(HttpContext http)
    {
        if (Interlocked.Increment(ref _inFlight) > _maxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            var requestId = RequestIds.Resolve(http.Request.Headers[RequestIds.HeaderName]);
            http.Response.Headers[RequestIds.HeaderName] = requestId;
            http.Response.Headers.RetryAfter = "1";
            await ResponseWriter.WriteErrorAsync(http, 503, $"the gateway is at its limit of {_maxInFlight} requests in flight; retry shortly", requestId);
            return;
        }

        try
        {
            await ServeAsync(http);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task ServeAsync(HttpContext http)
    {
        var request = http.Request;
        var requestId = RequestIds.Resolve(request.Headers[RequestIds.HeaderName]);
        http.Response.Headers[RequestIds.HeaderName] = requestId;

        var path = request.Path.Value ?? "/";
        if (HttpMethods.IsConnect(request.Method) && IsWebSocketConnect(http))
        {
            // RFC 8441: an HTTP/2 WebSocket opens with CONNECT and :protocol websocket; it is routed (and the
            // handler sees it) as the GET upgrade it stands for, as ASP.NET Core's own WebSocket middleware does.
            request.Method = HttpMethods.Get;
        }

        // CORS preflights are answered for the endpoint the browser means to call, never by a handler.
        if (CorsPolicy.IsPreflight(request) && await CorsPreflight.TryAnswerAsync(http, routes.Current, path, requestId))
        {
            return;
        }

        var match = routes.Current.Match(request.Headers.Host.ToString(), request.Method, path);
        if (match.Kind != RouteMatchKind.Found)
        {
            if (match.Kind == RouteMatchKind.MethodNotAllowed)
            {
                http.Response.Headers.Allow = match.Allow;
                await ResponseWriter.WriteErrorAsync(http, 405, $"method {request.Method} is not allowed for {path}", requestId);
                return;
            }

            await ResponseWriter.WriteErrorAsync(http, 404, $"no route for {request.Method} {path}", requestId);
            return;
        }

        var runtime = (EndpointRuntime)match.Target!;
        // PERF: one clock read per request, and only when per-endpoint metrics are on.
        var begun = _metrics ? Stopwatch.GetTimestamp() : 0;
        var version = runtime.Acquire();
        if (version is null)
        {
            await ResponseWriter.WriteErrorAsync(http, 503, "endpoint is not running", requestId);
            RecordMetrics(http, runtime, begun);
            return;
        }

        var admission = PolicyAdmission.Open;

        var releaseVersion = true;
        Context? context = null;
        try
        {
            var limits = runtime.Limits;
            // CORS headers first, so a browser can read even a 401 or 429 refusal.
            limits.Policies?.Cors?.ApplyToActual(http);
            ApiKeyInfo? key = null;
            if (!ReferenceEquals(limits.Auth, Config.EndpointAuth.None) &&
                EndpointAuthorizer.Check(http, limits, runtime.Id, keys, out key) is { } refused)
            {
                await ResponseWriter.WriteErrorAsync(http, refused.Status, refused.Message, requestId);
                return;
            }

            // Rate and concurrency limits after auth (a rate_limit keyed by api_key counts the verified key) and
            // before the body is read; the slot is held until the response has ended.
            if (limits.Policies is { } policies && !(admission = await policies.AdmitAsync(http, requestId, key?.Id)).Admitted)
            {
                return;
            }

            // stream_body: the handler reads req.BodyStream straight from the connection, under the same limit.
            var body = limits.StreamBody
                ? (request.ContentLength > limits.MaxBodyBytes ? null : [])
                : await ReadBodyAsync(http, limits.MaxBodyBytes);
            if (body is null)
            {
                await ResponseWriter.WriteErrorAsync(http, 413, $"request body exceeds the endpoint's limit of {limits.MaxBodyBytes} bytes", requestId);
                return;
            }

            // Built once per deploy; a request that breaks the endpoint's OpenAPI operation never reaches the handler.
            // A streamed body is not there to check: only the parameters are.
            if (limits.Validator is { } validator &&
                validator.Validate(request, match.Parameters, body, checkBody: !limits.StreamBody) is { Count: > 0 } problems)
            {
                await ResponseWriter.WriteValidationErrorAsync(http, problems, requestId);
                return;
            }

            context = new Context(runtime.Log, runtime.Id, requestId, http.RequestAborted, services, version.JsonOptions, state, bus);
            var handlerRequest = limits.StreamBody
                ? new Request(http, null, match.Parameters, version.JsonOptions, requestId, new LimitedBodyStream(request.Body, limits.MaxBodyBytes))
                : new Request(http, body, match.Parameters, version.JsonOptions, requestId);
            handlerRequest.ApiKey = key;

            var started = Stopwatch.GetTimestamp();

            Response response;
            ValueTask<Response> pending;
            try
            {
                pending = version.Invoke(context, handlerRequest);
            }
            catch (Exception ex)
            {
                await FailAsync(http, runtime, ex, context, requestId);
                return;
            }

            if (pending.IsCompleted)
            {
                // PERF: the common case: a handler that finished synchronously costs no timer, no task.
                try
                {
                    response = pending.Result;
                }
                catch (Exception ex)
                {
                    await FailAsync(http, runtime, ex, context, requestId);
                    return;
                }

                if (Stopwatch.GetElapsedTime(started).TotalMilliseconds > limits.TimeoutMs)
                {
                    await TimedOutAsync(http, runtime, limits.TimeoutMs, requestId);
                    return;
                }
            }
            else
            {
                var task = pending.AsTask();
                var ctx = context;
                var deadline = started + (long)(limits.TimeoutMs * (Stopwatch.Frequency / 1000.0));
                var timeout = timeouts.Register(limits.TimeoutMs, deadline, ctx.CancelForTimeout);
                await Task.WhenAny(task, timeout.Expired);
                timeout.Complete();
                if (!task.IsCompleted)
                {
                    // The handler runs on after the 504: its version stays counted in, and its context (whose
                    // cancellation is still being delivered) stays undisposed, until it really returns.
                    releaseVersion = false;
                    context = null;
                    _ = task.ContinueWith(static (t, state) =>
                    {
                        var (v, c, log, id, slot) = ((HandlerVersion, Context, EndpointLog, string, PolicyAdmission))state!;
                        if (t.IsFaulted && t.Exception?.InnerException is { } e and not OperationCanceledException)
                        {
                            log.Warning($"handler failed after its timeout: {e}", id);
                        }

                        c.Release();
                        v.Release();
                        slot.Release();
                    }, (version, ctx, runtime.Log, requestId, admission), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    await TimedOutAsync(http, runtime, limits.TimeoutMs, requestId);
                    return;
                }

                try
                {
                    response = await task;
                }
                catch (Exception ex)
                {
                    await FailAsync(http, runtime, ex, context, requestId);
                    return;
                }
            }

            runtime.CountHandled();
            if (response is null)
            {
                runtime.Log.Error("the handler returned null instead of a Response", requestId);
                await ResponseWriter.WriteErrorAsync(http, 500, "internal error: the handler returned no response (see the endpoint's log)", requestId);
                return;
            }

            // Bodies that outlive the handler's call (a socket, a file, a stream) have their own responders.
            switch (response.BodyKind)
            {
                case ResponseBodyKind.WebSocket:
                    await WebSocketResponder.RunAsync(http, response, runtime.Log, requestId);
                    return;
                case ResponseBodyKind.File:
                    await FileResponder.WriteAsync(http, response, limits.FileRoots, runtime.Log, requestId);
                    return;
                case ResponseBodyKind.Stream when response.Status is >= 200 and not 204 and not 304:
                    await StreamResponder.WriteAsync(http, response, runtime.Log, requestId);
                    return;
            }

            try
            {
                await ResponseWriter.WriteAsync(http, response, version.JsonOptions);
            }
            catch (Exception ex) when (!http.Response.HasStarted)
            {
                runtime.Log.Error($"the handler's response could not be written: {ex}", requestId);
                http.Response.Clear();
                http.Response.Headers[RequestIds.HeaderName] = requestId;
                await ResponseWriter.WriteErrorAsync(http, 500, "internal error: the handler's response could not be written", requestId);
            }
        }
        finally
        {
            context?.Release();
            if (releaseVersion)
            {
                version.Release();
                admission.Release();
            }

            // Where the response has ended (or, for a handler past its timeout, where the 504 went out).
            RecordMetrics(http, runtime, begun);
        }
    }

    private void RecordMetrics(HttpContext http, EndpointRuntime runtime, long begun)
    {
        if (_metrics)
        {
            runtime.Metrics.Record(http.Response.StatusCode, Stopwatch.GetTimestamp() - begun);
        }
    }

    private static bool IsWebSocketConnect(HttpContext http) =>
        http.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true } connect &&
        string.Equals(connect.Protocol, "websocket", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads the whole body up to <paramref name="limit"/> bytes; null when it is larger.</summary>
    private static async ValueTask<byte[]?> ReadBodyAsync(HttpContext http, long limit)
    {
        var request = http.Request;
        var length = request.ContentLength;
        if (length == 0)
        {
            return [];
        }

        if (length > limit)
        {
            return null;
        }

        if (length is null && http.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return [];
        }

        if (length is { } exact)
        {
            var buffer = new byte[exact];
            await request.Body.ReadExactlyAsync(buffer, http.RequestAborted);
            return buffer;
        }

        // Chunked: read until the end or one byte past the limit.
        using var collected = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (collected.Length + read > limit)
            {
                return null;
            }

            collected.Write(chunk, 0, read);
        }

        return collected.ToArray();
    }

    private Task FailAsync(HttpContext http, EndpointRuntime runtime, Exception ex, Context context, string requestId)
    {
        runtime.CountHandled();
        if (ex is HandlerError && http.Response.HasStarted)
        {
            // A streaming handler's read failed (e.g. its body went past the limit) after it had begun to answer.
            runtime.Log.Warning($"handler failed after its response had started; the connection was cut: {ex.Message}", requestId);
            http.Abort();
            return Task.CompletedTask;
        }

        if (ex is BadHttpRequestException badBody && !http.Response.HasStarted)
        {
            // A stream_body handler read a body the client framed wrongly (bad chunks, cut short): the client's fault.
            runtime.Log.Info($"the request body could not be read: {badBody.Message}", requestId);
            return ResponseWriter.WriteErrorAsync(http, badBody.StatusCode, $"bad request body: {badBody.Message}", requestId);
        }

        if (ex is HandlerError handlerError)
        {
            return ResponseWriter.WriteAsync(http, handlerError.ToResponse(), System.Text.Json.JsonSerializerOptions.Web);
        }

        if (ex is OperationCanceledException && context.TimedOut)
        {
            return TimedOutAsync(http, runtime, runtime.Limits.TimeoutMs, requestId);
        }

        if (ex is OperationCanceledException && http.RequestAborted.IsCancellationRequested)
        {
            runtime.Log.Info("client disconnected before the handler finished", requestId);
            return Task.CompletedTask;
        }

        runtime.Log.Error($"unhandled exception: {ex}", requestId);
        Log.HandlerFailed(logger, runtime.Id, requestId, ex.GetType().Name);
        return ResponseWriter.WriteErrorAsync(http, 500, "internal error: the handler failed (see the endpoint's log)", requestId);
    }

    private Task TimedOutAsync(HttpContext http, EndpointRuntime runtime, int timeoutMs, string requestId)
    {
        runtime.Log.Warning($"handler timed out after {timeoutMs} ms", requestId);
        Log.HandlerTimedOut(logger, runtime.Id, requestId, timeoutMs);
        return ResponseWriter.WriteErrorAsync(http, 504, $"handler timed out after {timeoutMs} ms", requestId);
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.HandlerFailed, LogLevel.Warning, "Endpoint {EndpointId}: handler threw {ExceptionType} (request {RequestId}); details in the endpoint log")]
        public static partial void HandlerFailed(ILogger logger, string endpointId, string requestId, string exceptionType);

        [LoggerMessage(EventIds.HandlerTimedOut, LogLevel.Warning, "Endpoint {EndpointId}: handler timed out after {TimeoutMs} ms (request {RequestId})")]
        public static partial void HandlerTimedOut(ILogger logger, string endpointId, string requestId, int timeoutMs);
    }
}
