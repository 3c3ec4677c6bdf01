using System.Security.Cryptography;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace Edge.Gateway.Uploads;

/// <summary>The rules for the names and ids the <c>/stream</c> routes take, and the ids they make.</summary>
internal static class StreamFileNames
{
    /// <summary>The longest file name taken, in UTF-8 bytes (what most file systems allow for one name).</summary>
    public const int MaxNameBytes = 255;

    /// <summary>Ids are 32 lower-case hex digits: 128 random bits.</summary>
    public const int IdLength = 32;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string NewId() => RandomNumberGenerator.GetHexString(IdLength, lowercase: true);

    public static bool IsId(string text)
    {
        if (text.Length != IdLength)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!char.IsAsciiHexDigitLower(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Null when <paramref name="name"/> is acceptable as an uploaded file's name; else why not.</summary>
    public static string? Problem(string name)
    {
        if (name.Length == 0)
        {
            return "the file name is empty";
        }

        if (name is "." or "..")
        {
            return $"'{name}' is not a file name";
        }

        foreach (var c in name)
        {
            if (c is '/' or '\\')
            {
                return "the file name must not contain '/' or '\\'";
            }

            if (char.IsControl(c))
            {
                return "the file name must not contain NUL or other control characters";
            }
        }

        int bytes;
        try
        {
            bytes = StrictUtf8.GetByteCount(name);
        }
        catch (EncoderFallbackException)
        {
            return "the file name is not valid text (a lone surrogate)";
        }

        return bytes > MaxNameBytes ? $"the file name is {bytes} bytes long; at most {MaxNameBytes} are allowed" : null;
    }

    /// <summary>
    /// An <c>attachment</c> disposition that carries <paramref name="fileName"/> safely: RFC 6266 <c>filename*</c>, and a
    /// plain <c>filename</c> (non-ASCII and quotes as '_') for clients that read only that one.
    /// </summary>
    public static string ContentDisposition(string fileName)
    {
        var ascii = string.Create(fileName.Length, fileName, static (span, name) =>
        {
            for (var i = 0; i < name.Length; i++)
            {
                span[i] = name[i] is >= ' ' and < (char)127 and not '"' and not '\\' ? name[i] : '_';
            }
        });
        return new ContentDispositionHeaderValue("attachment") { FileName = "\"" + ascii + "\"", FileNameStar = fileName }.ToString();
    }
}
