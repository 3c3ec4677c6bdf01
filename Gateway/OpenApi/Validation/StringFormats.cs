using System.Buffers.Text;
using System.Net;
using System.Net.Sockets;

namespace Edge.Gateway.OpenApi.Validation;

/// <summary>
/// Checks of the string formats OpenAPI APIs use. Span-based and allocation-free except uri/ipv6 (the framework
/// parsers). Numeric formats (int32, int64) are checked on numbers by <see cref="NumberConstraints"/>; float,
/// double, password, binary and unknown formats pass.
/// </summary>
internal static class StringFormats
{
    public static StringFormat Parse(string format) => format switch
    {
        "date-time" => StringFormat.DateTime,
        "date" => StringFormat.Date,
        "time" => StringFormat.Time,
        "uuid" => StringFormat.Uuid,
        "email" => StringFormat.Email,
        "uri" => StringFormat.Uri,
        "uri-reference" => StringFormat.UriReference,
        "ipv4" => StringFormat.Ipv4,
        "ipv6" => StringFormat.Ipv6,
        "hostname" => StringFormat.Hostname,
        "byte" => StringFormat.Byte,
        _ => StringFormat.None,
    };

    public static bool IsValid(StringFormat format, ReadOnlySpan<char> value) => format switch
    {
        StringFormat.DateTime => IsDateTime(value),
        StringFormat.Date => IsDate(value),
        // Lenient on purpose: RFC 3339 full-time needs an offset, but APIs commonly send "14:30:00".
        StringFormat.Time => IsTime(value, offsetRequired: false),
        StringFormat.Uuid => Guid.TryParseExact(value, "D", out _),
        StringFormat.Email => IsEmail(value),
        StringFormat.Uri => IsUri(value),
        StringFormat.UriReference => !HasWhiteSpaceOrControl(value) && Uri.TryCreate(value.ToString(), UriKind.RelativeOrAbsolute, out _),
        StringFormat.Ipv4 => IsIpv4(value),
        StringFormat.Ipv6 => IsIpv6(value),
        StringFormat.Hostname => IsHostname(value),
        StringFormat.Byte => Base64.IsValid(value),
        _ => true,
    };

    /// <summary>RFC 3339 date-time: full-date "T" full-time, the offset required.</summary>
    private static bool IsDateTime(ReadOnlySpan<char> value) =>
        value.Length > 11 && (value[10] == 'T' || value[10] == 't') && IsDate(value[..10]) && IsTime(value[11..], offsetRequired: true);

    /// <summary>RFC 3339 full-date (yyyy-mm-dd), with the day checked against the month and leap years.</summary>
    private static bool IsDate(ReadOnlySpan<char> value)
    {
        if (value.Length != 10 || value[4] != '-' || value[7] != '-'
            || !TryDigits(value[..4], out var year) || !TryDigits(value.Slice(5, 2), out var month) || !TryDigits(value.Slice(8, 2), out var day))
        {
            return false;
        }

        return year >= 1 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month);
    }

    /// <summary>RFC 3339 partial-time (hh:mm:ss[.frac]) followed by "Z" or ±hh:mm.</summary>
    private static bool IsTime(ReadOnlySpan<char> value, bool offsetRequired)
    {
        if (value.Length < 8 || value[2] != ':' || value[5] != ':'
            || !TryDigits(value[..2], out var hour) || !TryDigits(value.Slice(3, 2), out var minute) || !TryDigits(value.Slice(6, 2), out var second)
            || hour > 23 || minute > 59 || second > 60)
        {
            return false;
        }

        var rest = value[8..];
        if (rest.Length > 0 && rest[0] == '.')
        {
            var digits = 1;
            while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
            {
                digits++;
            }

            if (digits == 1)
            {
                return false;
            }

            rest = rest[digits..];
        }

        if (rest.Length == 0)
        {
            return !offsetRequired;
        }

        if (rest.Length == 1)
        {
            return rest[0] is 'Z' or 'z';
        }

        return rest.Length == 6 && rest[0] is '+' or '-' && rest[3] == ':'
            && TryDigits(rest.Slice(1, 2), out var offsetHour) && TryDigits(rest.Slice(4, 2), out var offsetMinute)
            && offsetHour <= 23 && offsetMinute <= 59;
    }

    private static bool TryDigits(ReadOnlySpan<char> digits, out int value)
    {
        value = 0;
        foreach (var c in digits)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }

    /// <summary>local@domain: an RFC 5322 dot-atom local part (non-ASCII letters allowed) and a hostname or [address].</summary>
    private static bool IsEmail(ReadOnlySpan<char> value)
    {
        var at = value.LastIndexOf('@');
        if (at <= 0 || at > 64 || at == value.Length - 1)
        {
            return false;
        }

        var local = value[..at];
        if (local[0] == '.' || local[^1] == '.' || local.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in local)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c > 127 || "!#$%&'*+-/=?^_`{|}~.".Contains(c)))
            {
                return false;
            }
        }

        var domain = value[(at + 1)..];
        if (domain[0] == '[' && domain[^1] == ']')
        {
            var literal = domain[1..^1];
            return literal.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase) ? IsIpv6(literal[5..]) : IsIpv4(literal);
        }

        return IsHostname(domain, allowNonAscii: true);
    }

    /// <summary>An absolute URI: a scheme first (Uri alone would take "/x" for a file path on Unix).</summary>
    private static bool IsUri(ReadOnlySpan<char> value)
    {
        if (value.Length == 0 || !char.IsAsciiLetter(value[0]) || HasWhiteSpaceOrControl(value))
        {
            return false;
        }

        var colon = value.IndexOf(':');
        if (colon < 1)
        {
            return false;
        }

        foreach (var c in value[1..colon])
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
            {
                return false;
            }
        }

        return Uri.TryCreate(value.ToString(), UriKind.Absolute, out _);
    }

    private static bool HasWhiteSpaceOrControl(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Dotted quad, no leading zeros (they read as octal elsewhere).</summary>
    private static bool IsIpv4(ReadOnlySpan<char> value)
    {
        var parts = 0;
        while (true)
        {
            var end = value.IndexOf('.');
            var part = end < 0 ? value : value[..end];
            if (part.Length is 0 or > 3 || (part.Length > 1 && part[0] == '0') || !TryDigits(part, out var number) || number > 255)
            {
                return false;
            }

            parts++;
            if (end < 0)
            {
                return parts == 4;
            }

            value = value[(end + 1)..];
        }
    }

    private static bool IsIpv6(ReadOnlySpan<char> value) =>
        value.Contains(':') && !value.ContainsAny('%', '[', ']') && !HasWhiteSpaceOrControl(value)
        && IPAddress.TryParse(value, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>RFC 1123 host name: dot-separated labels of 1-63 letters, digits and inner hyphens, 253 at most.</summary>
    private static bool IsHostname(ReadOnlySpan<char> value, bool allowNonAscii = false)
    {
        if (value.Length is 0 or > 253)
        {
            return false;
        }

        while (true)
        {
            var end = value.IndexOf('.');
            var label = end < 0 ? value : value[..end];
            if (label.Length is 0 or > 63 || label[0] == '-' || label[^1] == '-')
            {
                return false;
            }

            foreach (var c in label)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c == '-' || (allowNonAscii && c > 127 && char.IsLetterOrDigit(c))))
                {
                    return false;
                }
            }

            if (end < 0)
            {
                return true;
            }

            value = value[(end + 1)..];
        }
    }
}
