using System.Globalization;
using Edge.Sdk;

namespace Edge.Services.Sql;

/// <summary>Database values as handlers get them: JSON-friendly row values and <see cref="IDatabase.ScalarAsync{T}"/> conversions.</summary>
internal static class SqlValues
{
    /// <summary>A column value for a row dictionary: DBNull → null; types JSON cannot show (inet, ranges…) → their text.</summary>
    public static object? FromDb(object? value) => value switch
    {
        null or DBNull => null,
        string or bool or byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal
            or DateTime or DateTimeOffset or DateOnly or TimeOnly or TimeSpan or Guid or byte[] => value,
        Array array => array.Cast<object?>().Select(FromDb).ToArray(),
        _ => System.Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// <paramref name="value"/> as <typeparamref name="T"/>: null/DBNull → default; numbers across widths
    /// (long → int, decimal → double), text → numbers/Guid/dates, numbers → enums; 500 when it does not fit.
    /// </summary>
    public static T? Convert<T>(object? value, string service)
    {
        if (value is null or DBNull)
        {
            return default;
        }

        if (value is T same)
        {
            return same;
        }

        var target = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        try
        {
            return (T)ConvertTo(value, target);
        }
        catch (Exception ex) when (ex is InvalidCastException or FormatException or OverflowException or ArgumentException)
        {
            throw new HandlerError(500, $"service '{service}': cannot convert the {value.GetType().Name} value to {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    private static object ConvertTo(object value, Type target)
    {
        if (target.IsInstanceOfType(value))
        {
            return value;
        }

        if (target == typeof(string))
        {
            return value switch
            {
                DateTime d => d.ToString("O", CultureInfo.InvariantCulture),
                DateTimeOffset d => d.ToString("O", CultureInfo.InvariantCulture),
                byte[] bytes => System.Convert.ToBase64String(bytes),
                _ => System.Convert.ToString(value, CultureInfo.InvariantCulture)!,
            };
        }

        if (target.IsEnum)
        {
            return value is string name
                ? Enum.Parse(target, name, ignoreCase: true)
                : Enum.ToObject(target, System.Convert.ChangeType(value, Enum.GetUnderlyingType(target), CultureInfo.InvariantCulture));
        }

        return (value, target) switch
        {
            (string s, var t) when t == typeof(Guid) => Guid.Parse(s),
            (byte[] b, var t) when t == typeof(Guid) && b.Length == 16 => new Guid(b),
            (string s, var t) when t == typeof(DateTimeOffset) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            (DateTime d, var t) when t == typeof(DateTimeOffset) => new DateTimeOffset(d.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(d, DateTimeKind.Utc) : d),
            (string s, var t) when t == typeof(DateTime) => DateTime.Parse(s, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
            (string s, var t) when t == typeof(TimeSpan) => TimeSpan.Parse(s, CultureInfo.InvariantCulture),
            (string s, var t) when t == typeof(bool) && long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n != 0,
            _ => System.Convert.ChangeType(value, target, CultureInfo.InvariantCulture),
        };
    }
}
