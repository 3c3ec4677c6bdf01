using Edge.Gateway.Handlers;

namespace Edge.Gateway.Admin;

/// <summary>Slots summed: counts and a merged histogram.</summary>
internal sealed class MetricsAggregate
{
    private readonly long[] _histogram = new long[LatencyHistogram.Buckets];

    public long Requests { get; private set; }

    public long Errors { get; private set; }

    public long ClientErrors { get; private set; }

    public void Add(MetricsSlot slot)
    {
        Requests += Volatile.Read(ref slot.Requests);
        Errors += Volatile.Read(ref slot.Errors);
        ClientErrors += Volatile.Read(ref slot.ClientErrors);
        for (var i = 0; i < _histogram.Length; i++)
        {
            _histogram[i] += Volatile.Read(ref slot.Histogram[i]);
        }
    }

    public double? Quantile(double q) => LatencyHistogram.Quantile(_histogram, q);
}
