using System.Text.Json;
using Edge.Gateway.Handlers;
using Edge.Sdk;

namespace Edge.Gateway.Bus;

/// <summary>
/// Runs another endpoint's handler in-process for <c>ctx.Bus.RequestAsync</c> and <c>DispatchAsync</c>: the endpoint
/// is found by name, its running version counted in and out exactly as the gateway does for a request, and the
/// answer handed back as a buffered response (a JSON body already serialised with the target's options, so the
/// caller never holds the target's types).
/// </summary>
internal sealed class EndpointCaller(
    BusHub hub,
    EndpointDirectory directory,
    HandlerRegistry registry,
    IServiceResolver services,
    SharedStateStore state)
{
    /// <summary>How deep endpoints may call each other through the bus before a call is refused (a loop, most likely).</summary>
    public const int MaxDepth = 8;

    /// <summary>Dispatched calls that may be queued or running at once.</summary>
    public const int MaxDispatchInFlight = 1000;

    private int _dispatchInFlight;

    public int DispatchInFlight => Volatile.Read(ref _dispatchInFlight);

    /// <summary>Calls <paramref name="name"/> and waits for its response (or <paramref name="timeout"/>, or the caller's cancellation).</summary>
    public async Task<Response> RequestAsync(string name, int depth, string requestId, BusPayload body, TimeSpan? timeout, CancellationToken aborted)
    {
        var (target, runtime) = Resolve(name, depth);
        return await RunAsync(target, runtime, depth, requestId, body, timeout, aborted, "bus request").ConfigureAwait(false);
    }

    /// <summary>Queues a call of <paramref name="name"/> on the thread pool; its failures go to the target endpoint's log.</summary>
    public void Dispatch(string name, int depth, string requestId, BusPayload body)
    {
        var (target, runtime) = Resolve(name, depth);
        if (Interlocked.Increment(ref _dispatchInFlight) > MaxDispatchInFlight)
        {
            Interlocked.Decrement(ref _dispatchInFlight);
            throw HandlerError.ServiceUnavailable($"bus dispatch queue full ({MaxDispatchInFlight} dispatched calls in flight)");
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await RunAsync(target, runtime, depth, requestId, body, null, CancellationToken.None, "bus dispatch").ConfigureAwait(false);
            }
            catch (HandlerError error)
            {
                runtime.Log.Warning($"dispatched call failed with {error.StatusCode}: {error.Message}", requestId);
            }
            catch (Exception ex)
            {
                runtime.Log.Error($"dispatched call failed: {ex}", requestId);
            }
            finally
            {
                Interlocked.Decrement(ref _dispatchInFlight);
            }
        });
    }

    private (BusTarget Target, EndpointRuntime Runtime) Resolve(string name, int depth)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw HandlerError.BadRequest("endpoint name must not be empty");
        }

        if (depth > MaxDepth)
        {
            throw new HandlerError(508, $"bus call depth limit of {MaxDepth} reached calling endpoint '{name}' (endpoints calling each other in a loop?)");
        }

        var target = directory.Find(name, out var ambiguous);
        if (target is null)
        {
            if (ambiguous.Length > 0)
            {
                throw HandlerError.Conflict($"{ambiguous.Length} endpoints are named '{name}'; call one by its id ({string.Join(", ", ambiguous.Select(t => t.Id))})");
            }

            throw HandlerError.NotFound($"no endpoint named '{name}'");
        }

        if (!target.Enabled)
        {
            throw HandlerError.ServiceUnavailable($"endpoint '{name}' is disabled");
        }

        var runtime = registry.Find(target.Id);
        if (runtime?.Current is null)
        {
            throw HandlerError.ServiceUnavailable($"endpoint '{name}' is not running");
        }

        return (target, runtime);
    }

    private async Task<Response> RunAsync(
        BusTarget target, EndpointRuntime runtime, int depth, string requestId, BusPayload body, TimeSpan? timeout, CancellationToken aborted, string what)
    {
        var version = runtime.Acquire() ?? throw HandlerError.ServiceUnavailable($"endpoint '{target.Name}' is not running");
        var limits = runtime.Limits;
        var release = true;
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        Context? context = null;
        try
        {
            if (body.Bytes.Length > limits.MaxBodyBytes)
            {
                throw HandlerError.PayloadTooLarge($"{what} body of {body.Bytes.Length} bytes exceeds endpoint '{target.Name}''s limit of {limits.MaxBodyBytes} bytes");
            }

            var wait = timeout is { } t && t > TimeSpan.Zero ? t : TimeSpan.FromMilliseconds(limits.TimeoutMs);
            context = new Context(runtime.Log, runtime.Id, requestId, cancel.Token, services, version.JsonOptions, state, hub, depth);
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Content-Type"] = body.ContentType, ["X-Edge-Bus"] = what };
            var request = new Request("POST", target.Path, null, headers, body.Bytes);

            Task<Response> task;
            try
            {
                task = version.Invoke(context, request).AsTask();
            }
            catch (Exception ex)
            {
                throw Failed(target, runtime, ex, requestId);
            }

            Response response;
            try
            {
                // Not the shared TimeoutScheduler: it keeps a lane per distinct timeout value, and a handler may pass any
                // TimeSpan here; WaitAsync's timer lives in the runtime's shared timer queue.
                response = await task.WaitAsync(wait, aborted).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // The handler runs on: its version stays counted in, and its context alive, until it really returns.
                release = false;
                context.CancelForTimeout();
                await cancel.CancelAsync().ConfigureAwait(false);
                Detach(task, version, context, cancel, runtime.Log, requestId);
                context = null;
                runtime.Log.Warning($"{what} timed out after {wait.TotalMilliseconds:0} ms", requestId);
                throw new HandlerError(504, $"endpoint '{target.Name}' did not answer within {wait.TotalMilliseconds:0} ms");
            }
            catch (OperationCanceledException) when (aborted.IsCancellationRequested)
            {
                // The caller went away: pass the cancellation on and let the handler finish in the background.
                if (!task.IsCompleted)
                {
                    release = false;
                    await cancel.CancelAsync().ConfigureAwait(false);
                    Detach(task, version, context, cancel, runtime.Log, requestId);
                    context = null;
                }

                throw;
            }
            catch (Exception ex)
            {
                throw Failed(target, runtime, ex, requestId);
            }

            runtime.CountHandled();
            if (response is null)
            {
                runtime.Log.Error($"the handler returned null instead of a Response ({what})", requestId);
                throw HandlerError.Internal($"endpoint '{target.Name}' returned no response");
            }

            return Buffered(target, response, version.JsonOptions);
        }
        finally
        {
            if (release)
            {
                context?.Release();
                cancel.Dispose();
                version.Release();
            }
        }
    }

    private static void Detach(Task<Response> task, HandlerVersion version, Context context, CancellationTokenSource cancel, EndpointLog log, string requestId) =>
        _ = task.ContinueWith(
            t =>
            {
                if (t.IsFaulted && t.Exception?.InnerException is { } e and not OperationCanceledException)
                {
                    log.Warning($"handler failed after its bus call was abandoned: {e}", requestId);
                }

                context.Release();
                cancel.Dispose();
                version.Release();
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

    private static HandlerError Failed(BusTarget target, EndpointRuntime runtime, Exception ex, string requestId)
    {
        runtime.CountHandled();
        if (ex is HandlerError error)
        {
            // The target's own status and message, in a fresh exception of the host's (never the target's object).
            return new HandlerError(error.StatusCode, error.Message);
        }

        runtime.Log.Error($"unhandled exception (bus call): {ex}", requestId);
        return HandlerError.Internal($"endpoint '{target.Name}' failed (see its log)");
    }

    /// <summary>The response with any JSON body turned into its text; streams, files and sockets are refused.</summary>
    private static Response Buffered(BusTarget target, Response response, JsonSerializerOptions json)
    {
        switch (response.BodyKind)
        {
            case ResponseBodyKind.None or ResponseBodyKind.Text or ResponseBodyKind.Bytes:
                return response;
            case ResponseBodyKind.Json:
                var text = JsonSerializer.Serialize(response.Body, response.Body!.GetType(), json);
                var copy = Response.Text(response.Status, text);
                if (response.HeadersOrNull is { } headers)
                {
                    foreach (var (name, value) in headers)
                    {
                        copy.Headers[name] = value;
                    }
                }

                copy.Headers[Response.ContentTypeHeader] = response.ResolveContentType() ?? Response.JsonContentType;
                return copy;
            default:
                throw HandlerError.Internal(
                    $"endpoint '{target.Name}' answered with a {response.BodyKind.ToString().ToLowerInvariant()} response; RequestAsync carries buffered responses only");
        }
    }
}
