using System.Net.Sockets;
using System.Text.Json.Nodes;
using Edge.Sdk;
using Edge.Services;
using Edge.Tests.Common;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Tests.Services;

/// <summary>
/// The bounds every connector call runs under (<see cref="ServiceInstance.RunAsync{T}"/>), checked on an
/// in-process service whose "backend" is the test's own code: the gate, the queue, the call timeout, the
/// mapping of failures and the fail-fast window after the backend was found down.
/// </summary>
public sealed class ServiceInstanceTests
{
    [Fact]
    public async Task RunAsync_ManyConcurrentCalls_NeverMoreThanMaxInFlight()
    {
        // Arrange
        var service = new InProcessService(maxInFlight: 10, maxQueue: 1000, timeoutMs: 30_000);
        var current = 0;
        var seen = 0;

        // Act
        var calls = Enumerable.Range(0, 200).Select(_ => Task.Run(() => service.RunAsync(async ct =>
        {
            var now = Interlocked.Increment(ref current);
            InterlockedMax(ref seen, now);
            await Task.Delay(5, ct);
            Interlocked.Decrement(ref current);
            return 1;
        }, CancellationToken.None)));
        var results = await Task.WhenAll(calls);

        // Assert
        results.Sum().ShouldBe(200);
        seen.ShouldBeLessThanOrEqualTo(10);
        service.Gate.PeakInFlight.ShouldBeLessThanOrEqualTo(10);
        service.Gate.InFlight.ShouldBe(0);
    }

    [Fact]
    public async Task RunAsync_QueueFull_RefusedAt503WithoutWaiting()
    {
        // Arrange: one slot taken, one queued, no more room
        var service = new InProcessService(maxInFlight: 1, maxQueue: 1, timeoutMs: 30_000);
        var release = new TaskCompletionSource();
        var first = service.RunAsync(async _ => { await release.Task; return 1; }, CancellationToken.None);
        var second = service.RunAsync(_ => Task.FromResult(2), CancellationToken.None);

        // Act
        var error = await Should.ThrowAsync<HandlerError>(() => service.RunAsync(_ => Task.FromResult(3), CancellationToken.None));

        // Assert
        error.StatusCode.ShouldBe(503);
        error.Message.ShouldContain("saturated");
        release.SetResult();
        (await first).ShouldBe(1);
        (await second).ShouldBe(2);
    }

    [Fact]
    public async Task RunAsync_OperationIgnoresCancellation_504AtTheTimeoutAndSlotHeldUntilItEnds()
    {
        // Arrange: a client library that does not stop when asked
        var service = new InProcessService(maxInFlight: 1, maxQueue: 0, timeoutMs: 100);
        var release = new TaskCompletionSource<int>();

        // Act
        var started = DateTime.UtcNow;
        var error = await Should.ThrowAsync<HandlerError>(() => service.RunAsync(_ => release.Task, CancellationToken.None));
        var took = DateTime.UtcNow - started;

        // Assert: answered at the timeout, but the backend still has the operation, so the slot stays taken
        error.StatusCode.ShouldBe(504);
        took.ShouldBeLessThan(TimeSpan.FromSeconds(2));
        service.Gate.InFlight.ShouldBe(1);
        release.SetResult(1);
        (await Eventually.HoldsAsync(() => Task.FromResult(service.Gate.InFlight == 0), TimeSpan.FromSeconds(5))).ShouldBeTrue();
    }

    [Fact]
    public async Task RunAsync_BackendDown_503ThenFailFastThenRecovers()
    {
        // Arrange
        // A wide fail-fast window, so a loaded machine cannot make the second call miss it.
        var service = new InProcessService(maxInFlight: 4, maxQueue: 4, timeoutMs: 5_000) { DownBackoff = TimeSpan.FromSeconds(2) };
        var attempts = 0;

        // Act: the backend refuses a connection
        var down = await Should.ThrowAsync<HandlerError>(() => service.RunAsync<int>(_ =>
        {
            attempts++;
            throw new SocketException((int)SocketError.ConnectionRefused);
        }, CancellationToken.None));
        var fast = await Should.ThrowAsync<HandlerError>(() => service.RunAsync(_ => { attempts++; return Task.FromResult(1); }, CancellationToken.None));
        await Task.Delay(service.DownBackoff + TimeSpan.FromMilliseconds(100));
        var back = await service.RunAsync(_ => { attempts++; return Task.FromResult(7); }, CancellationToken.None);

        // Assert
        down.StatusCode.ShouldBe(503);
        down.Message.ShouldContain("'inproc'");
        fast.StatusCode.ShouldBe(503);
        attempts.ShouldBe(2, "the call inside the fail-fast window must not reach the backend");
        back.ShouldBe(7);
        service.Status().BackendDown.ShouldBeNull();
    }

    [Fact]
    public async Task RunAsync_BackendReportsError_500AndNotMarkedDown()
    {
        var service = new InProcessService(maxInFlight: 4, maxQueue: 4, timeoutMs: 5_000);

        var error = await Should.ThrowAsync<HandlerError>(() => service.RunAsync<int>(_ => throw new InvalidDataException("syntax error near 'SELEC'"), CancellationToken.None));
        var next = await service.RunAsync(_ => Task.FromResult(1), CancellationToken.None);

        error.StatusCode.ShouldBe(500);
        error.Message.ShouldContain("syntax error");
        next.ShouldBe(1);
    }

    [Fact]
    public async Task RunAsync_Retired_RefusesNewCallsButAdmittedOnesFinish()
    {
        // Arrange
        var service = new InProcessService(maxInFlight: 1, maxQueue: 4, timeoutMs: 5_000);
        var release = new TaskCompletionSource<int>();
        var running = service.RunAsync(_ => release.Task, CancellationToken.None);

        // Act
        service.Retire();
        var refused = await Should.ThrowAsync<HandlerError>(() => service.RunAsync(_ => Task.FromResult(1), CancellationToken.None));
        release.SetResult(5);

        // Assert
        refused.StatusCode.ShouldBe(503);
        refused.Message.ShouldContain("not active");
        (await running).ShouldBe(5);
        (await service.Gate.WaitIdleAsync(TimeSpan.FromSeconds(1))).ShouldBeTrue();
    }

    [Fact]
    public async Task RunAsync_CallerGoesAway_CancelledNotTimedOut()
    {
        var service = new InProcessService(maxInFlight: 1, maxQueue: 1, timeoutMs: 30_000);
        using var client = new CancellationTokenSource(50);

        await Should.ThrowAsync<OperationCanceledException>(() =>
            service.RunAsync(async ct => { await Task.Delay(10_000, ct); return 1; }, client.Token));

        service.Status().Timeouts.ShouldBe(0);

        // The slot is given back when the call itself has ended, which may be a moment after the caller saw the cancel.
        (await Eventually.HoldsAsync(() => Task.FromResult(service.Gate.InFlight == 0), TimeSpan.FromSeconds(5))).ShouldBeTrue();
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var previous = Interlocked.CompareExchange(ref target, value, seen);
            if (previous == seen)
            {
                return;
            }

            seen = previous;
        }
    }

    private sealed class InProcessService(int maxInFlight, int maxQueue, int timeoutMs)
        : ServiceInstance(
            new ServiceDefinition("id-1", "inproc", "test", new JsonObject
            {
                ["max_in_flight"] = maxInFlight,
                ["max_queue"] = maxQueue,
                ["call_timeout_ms"] = timeoutMs,
            }),
            NullLogger.Instance)
    {
        public override T? CreateHandle<T>(Context context)
            where T : class => null;

        public override Task<string> ProbeAsync(CancellationToken cancel) => Task.FromResult("in-process");

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

        protected override bool IsUnavailable(Exception error) => error is SocketException;
    }
}
