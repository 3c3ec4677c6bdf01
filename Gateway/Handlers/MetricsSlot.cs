namespace Edge.Gateway.Handlers;

/// <summary>One second of one endpoint's traffic: counts and a latency histogram, incremented with Interlocked.</summary>
internal sealed class MetricsSlot(long second)
{
    /// <summary>Unix time of the second this slot counts.</summary>
    public readonly long Second = second;

    public readonly int[] Histogram = new int[LatencyHistogram.Buckets];

    public int Requests;

    /// <summary>Answers with a status of 500 or more.</summary>
    public int Errors;

    /// <summary>Answers with a status from 400 to 499.</summary>
    public int ClientErrors;
}
