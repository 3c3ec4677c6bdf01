using System.Collections;
using System.Diagnostics.CodeAnalysis;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Edge.Sdk;

/// <summary>
/// The request's headers seen as name → value, without copying them.
/// </summary>
/// <remarks>
/// PERF: a handler usually reads one or two headers; a view over Kestrel's (case-insensitive)
/// header collection costs one small object and no per-header strings, where a copy costs a
/// dictionary the size of the request's headers.
/// </remarks>
internal sealed class HeaderDictionaryView : IReadOnlyDictionary<string, string>
{
    private readonly IHeaderDictionary _headers;

    public HeaderDictionaryView(IHeaderDictionary headers)
    {
        _headers = headers;
    }

    public int Count => _headers.Count;

    public IEnumerable<string> Keys => _headers.Keys;

    public IEnumerable<string> Values
    {
        get
        {
            foreach (var header in _headers)
            {
                yield return Join(header.Key, header.Value);
            }
        }
    }

    public string this[string key]
        => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"The request has no header '{key}'.");

    public bool ContainsKey(string key) => _headers.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out string value)
    {
        if (_headers.TryGetValue(key, out var values) && values.Count > 0)
        {
            value = Join(key, values);
            return true;
        }

        value = null;
        return false;
    }

    public IEnumerator<KeyValuePair<string, string>> GetEnumerator()
    {
        foreach (var header in _headers)
        {
            if (header.Value.Count > 0)
            {
                yield return new KeyValuePair<string, string>(header.Key, Join(header.Key, header.Value));
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>One value for a header that may have come in several lines.</summary>
    internal static string Join(string name, StringValues values)
    {
        if (values.Count == 1)
        {
            return values[0] ?? string.Empty;
        }

        // Cookie lines (split apart by HTTP/2 and HTTP/3 clients) join with "; ", every other header with ", ".
        var separator = name.Equals("Cookie", StringComparison.OrdinalIgnoreCase) ? "; " : ", ";
        return string.Join(separator, values.ToArray());
    }
}
