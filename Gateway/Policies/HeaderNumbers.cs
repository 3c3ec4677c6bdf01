using System.Globalization;

namespace Edge.Gateway.Policies;

/// <summary>
/// Header values for counts (<c>RateLimit-Remaining</c>, <c>RateLimit-Reset</c>, <c>Retry-After</c>).
/// PERF: the numbers below <see cref="Cached"/> are formatted once, on first use, and shared, so a limited request
/// allocates no string for them; the runtime's own cache stops at 299.
/// </summary>
internal static class HeaderNumbers
{
    public const int Cached = 10_000;

    private static readonly string?[] Formatted = new string?[Cached];

    public static string Format(long value)
    {
        if ((ulong)value >= Cached)
        {
            return value.ToString(CultureInfo.InvariantCulture);
        }

        // A race formats the same text twice; either copy is right.
        return Formatted[value] ??= value.ToString(CultureInfo.InvariantCulture);
    }
}
