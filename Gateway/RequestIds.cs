namespace Edge.Gateway;

/// <summary>
/// Request ids: a well-formed incoming <c>x-request-id</c> is kept; otherwise a new one is made from a random
/// per-process prefix and a counter (unique, cheap, no lock).
/// </summary>
internal static class RequestIds
{
    public const string HeaderName = "x-request-id";
    public const int MaxLength = 128;

    private const string Alphabet = "0123456789abcdefghijklmnopqrstuv";
    private static readonly string Prefix = MakePrefix();
    private static long _counter;

    public static string Resolve(string? incoming) => incoming is not null && IsWellFormed(incoming) ? incoming : Next();

    public static bool IsWellFormed(string id)
    {
        if (id.Length is 0 or > MaxLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':'))
            {
                return false;
            }
        }

        return true;
    }

    public static string Next()
    {
        var n = (ulong)Interlocked.Increment(ref _counter);
        return string.Create(Prefix.Length + 1 + 13, n, static (span, value) =>
        {
            Prefix.AsSpan().CopyTo(span);
            span[Prefix.Length] = '-';
            var digits = span[(Prefix.Length + 1)..];
            for (var i = digits.Length - 1; i >= 0; i--)
            {
                digits[i] = Alphabet[(int)(value & 31)];
                value >>= 5;
            }
        });
    }

    private static string MakePrefix()
    {
        Span<byte> random = stackalloc byte[8];
        System.Security.Cryptography.RandomNumberGenerator.Fill(random);
        return string.Create(8, BitConverter.ToUInt64(random), static (span, value) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[(int)(value & 31)];
                value >>= 5;
            }
        });
    }
}
