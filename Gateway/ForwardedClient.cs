using System.Net;
using Microsoft.Extensions.Primitives;

namespace Edge.Gateway;

/// <summary>
/// The client's address behind trusted proxies. Only when the connection comes from a trusted proxy are its
/// <c>Forwarded</c> (RFC 7239, preferred) or <c>X-Forwarded-For</c> headers read, and then from the right: each hop a
/// trusted proxy appended is skipped, and the first address not trusted is the client (so a client cannot pick its
/// own address by sending the header itself). An entry that is not an address (<c>unknown</c>, an obfuscated name,
/// garbage) stops the walk at the last address that was. From anyone else the headers are ignored.
/// </summary>
internal static class ForwardedClient
{
    public static IPAddress? Resolve(IPAddress? peer, StringValues forwarded, StringValues forwardedFor, IReadOnlyList<IPNetwork> trusted)
    {
        if (peer is null || trusted.Count == 0)
        {
            return peer;
        }

        var current = Normalise(peer);
        if (!IsTrusted(current, trusted))
        {
            return current;
        }

        var hops = forwarded.Count > 0 ? ForwardedFor(forwarded) : XForwardedFor(forwardedFor);
        for (var i = hops.Count - 1; i >= 0; i--)
        {
            if (!TryAddress(hops[i], out var address))
            {
                return current;
            }

            current = address;
            if (!IsTrusted(current, trusted))
            {
                return current;
            }
        }

        return current;
    }

    private static bool IsTrusted(IPAddress address, IReadOnlyList<IPNetwork> trusted)
    {
        foreach (var network in trusted)
        {
            if (network.Contains(address))
            {
                return true;
            }
        }

        return false;
    }

    private static IPAddress Normalise(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    /// <summary>The <c>for=</c> values of every element of every Forwarded header, in order.</summary>
    private static List<string> ForwardedFor(StringValues headers)
    {
        var hops = new List<string>();
        foreach (var header in headers)
        {
            foreach (var element in (header ?? "").Split(','))
            {
                var value = "";
                foreach (var pair in element.Split(';'))
                {
                    var eq = pair.IndexOf('=', StringComparison.Ordinal);
                    if (eq > 0 && pair[..eq].Trim().Equals("for", StringComparison.OrdinalIgnoreCase))
                    {
                        value = pair[(eq + 1)..].Trim().Trim('"');
                    }
                }

                hops.Add(value);
            }
        }

        return hops;
    }

    private static List<string> XForwardedFor(StringValues headers)
    {
        var hops = new List<string>();
        foreach (var header in headers)
        {
            hops.AddRange((header ?? "").Split(',', StringSplitOptions.TrimEntries));
        }

        return hops;
    }

    /// <summary>An address, maybe with a port: <c>192.0.2.1</c>, <c>192.0.2.1:4711</c>, <c>[2001:db8::1]:4711</c>, <c>2001:db8::1</c>.</summary>
    private static bool TryAddress(string text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !IPAddress.TryParse(text.AsSpan(1, close - 1), out var v6))
            {
                return false;
            }

            address = Normalise(v6);
            return true;
        }

        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && text.IndexOf(':', colon + 1) < 0)
        {
            // IPv4 with a port.
            text = text[..colon];
        }

        if (!IPAddress.TryParse(text, out var parsed))
        {
            return false;
        }

        address = Normalise(parsed);
        return true;
    }
}
