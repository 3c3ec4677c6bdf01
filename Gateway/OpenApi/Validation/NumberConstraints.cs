using System.Globalization;
using System.Text.Json;

namespace Edge.Gateway.OpenApi.Validation;

/// <summary>minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf and the int32/int64 formats of one schema.</summary>
internal sealed class NumberConstraints
{
    private readonly double? _multipleOf;
    private readonly decimal? _multipleOfDecimal;

    public double? Minimum { get; init; }
    public double? Maximum { get; init; }
    public double? ExclusiveMinimum { get; init; }
    public double? ExclusiveMaximum { get; init; }

    /// <summary>
    /// Compared in decimal when both sides fit (0.3 is a multiple of 0.1 there, not in binary floating point),
    /// else in double with a relative tolerance.
    /// </summary>
    public double? MultipleOf
    {
        get => _multipleOf;
        init
        {
            _multipleOf = value;
            _multipleOfDecimal = value is { } m && Math.Abs(m) < 7.9e27 ? (decimal)m : null;
        }
    }

    /// <summary>"int32" or "int64": an integral value must fit that many bits. Null for any other format.</summary>
    public string? IntegerFormat { get; init; }

    public void Validate(JsonElement instance, ValidationContext context)
    {
        // PERF: most numbers are integers, and the integer parser is much cheaper than the floating-point one.
        double value;
        if (instance.TryGetInt64(out var integer))
        {
            value = integer;
        }
        else if (!instance.TryGetDouble(out value))
        {
            if (context.Fail())
            {
                context.Describe($"number {instance.GetRawText()} is out of range");
            }

            return;
        }

        if (Minimum is { } minimum && value < minimum && context.Fail())
        {
            context.Describe($"must be ≥ {Show(minimum)}, got {instance.GetRawText()}");
        }

        if (ExclusiveMinimum is { } exclusiveMinimum && value <= exclusiveMinimum && context.Fail())
        {
            context.Describe($"must be > {Show(exclusiveMinimum)}, got {instance.GetRawText()}");
        }

        if (Maximum is { } maximum && value > maximum && context.Fail())
        {
            context.Describe($"must be ≤ {Show(maximum)}, got {instance.GetRawText()}");
        }

        if (ExclusiveMaximum is { } exclusiveMaximum && value >= exclusiveMaximum && context.Fail())
        {
            context.Describe($"must be < {Show(exclusiveMaximum)}, got {instance.GetRawText()}");
        }

        if (_multipleOf is { } multipleOf && !IsMultiple(instance, value, multipleOf) && context.Fail())
        {
            context.Describe($"must be a multiple of {Show(multipleOf)}, got {instance.GetRawText()}");
        }

        if (IntegerFormat is not null && value == Math.Floor(value))
        {
            var fits = IntegerFormat == "int32"
                ? value is >= int.MinValue and <= int.MaxValue
                : value is >= long.MinValue and < 9.2233720368547758e18;
            if (!fits && context.Fail())
            {
                context.Describe(IntegerFormat == "int32"
                    ? $"must be a 32-bit integer ({int.MinValue} to {int.MaxValue}), got {instance.GetRawText()}"
                    : $"must be a 64-bit integer ({long.MinValue} to {long.MaxValue}), got {instance.GetRawText()}");
            }
        }
    }

    public static string Show(double value) => value.ToString(CultureInfo.InvariantCulture);

    private bool IsMultiple(JsonElement instance, double value, double multipleOf)
    {
        if (_multipleOfDecimal is { } divisor && instance.TryGetDecimal(out var exact))
        {
            return exact % divisor == 0;
        }

        var quotient = value / multipleOf;
        return double.IsFinite(quotient) && Math.Abs(quotient - Math.Round(quotient)) <= 1e-9 * Math.Max(1, Math.Abs(quotient));
    }
}
