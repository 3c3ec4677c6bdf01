using System.Diagnostics;
using System.Numerics;

namespace Edge.Gateway.Handlers;

/// <summary>
/// A fixed log-linear latency scale: two buckets per power of two of microseconds, from 1 µs to about 134 s (longer
/// lands in the last bucket), so a quantile read from it is within about 20% of the true value.
/// </summary>
internal static class LatencyHistogram
{
    public const int Buckets = 54;

    private static readonly double MicrosPerTick = 1_000_000.0 / Stopwatch.Frequency;

    /// <summary>The bucket of a duration in <see cref="Stopwatch"/> ticks. PERF: a multiply and a leading-zero count.</summary>
    public static int BucketOf(long elapsedTicks)
    {
        var micros = (ulong)Math.Max(1, (long)(elapsedTicks * MicrosPerTick));
        var octave = 63 - BitOperations.LeadingZeroCount(micros);
        if (octave == 0)
        {
            return 0;
        }

        var bucket = (2 * octave) - 1 + (int)((micros >> (octave - 1)) & 1);
        return Math.Min(bucket, Buckets - 1);
    }

    /// <summary>The middle of a bucket's range, in milliseconds.</summary>
    public static double MillisecondsOf(int bucket)
    {
        if (bucket == 0)
        {
            return 0.001;
        }

        var octave = (bucket + 1) >> 1;
        var half = (bucket + 1) & 1;
        var width = 1L << (octave - 1);
        var lower = (2L + half) * width;
        return (lower + (width / 2.0)) / 1000.0;
    }

    /// <summary>The <paramref name="quantile"/> (0..1) of the counts in <paramref name="histogram"/>, in ms; null when empty.</summary>
    public static double? Quantile(ReadOnlySpan<long> histogram, double quantile)
    {
        long total = 0;
        foreach (var count in histogram)
        {
            total += count;
        }

        if (total == 0)
        {
            return null;
        }

        var rank = Math.Max(1, (long)Math.Ceiling(quantile * total));
        long seen = 0;
        for (var i = 0; i < histogram.Length; i++)
        {
            seen += histogram[i];
            if (seen >= rank)
            {
                return Math.Round(MillisecondsOf(i), 3);
            }
        }

        return Math.Round(MillisecondsOf(histogram.Length - 1), 3);
    }
}
