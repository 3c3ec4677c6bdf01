using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Edge.Gateway.Handlers;

namespace Edge.Bench;

/// <summary>
/// What per-endpoint metrics add to a request: <see cref="EndpointMetrics.Record"/> (the clock read, the slot of the
/// current second, three Interlocked increments) against the baseline of the clock read alone.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class MetricsBenchmarks
{
    private readonly EndpointMetrics _metrics = new();
    private long _begun;

    [GlobalSetup]
    public void Setup()
    {
        _begun = Stopwatch.GetTimestamp();
        _metrics.Record(200, 0);
    }

    [Benchmark(Baseline = true)]
    public long ClockOnly() => Stopwatch.GetTimestamp() - _begun;

    [Benchmark]
    public void Record() => _metrics.Record(200, Stopwatch.GetTimestamp() - _begun);

    [Benchmark]
    public void RecordError() => _metrics.Record(503, Stopwatch.GetTimestamp() - _begun);
}
