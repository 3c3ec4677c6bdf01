using System.Net;
using Edge.Gateway;
using Microsoft.Extensions.Primitives;

namespace Edge.Tests.Gateway;

/// <summary>Which address is the client's behind trusted proxies, and that nobody else can choose it.</summary>
public sealed class ForwardedClientTests
{
    private static readonly IReadOnlyList<IPNetwork> Proxies = [IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("127.0.0.1/32")];

    [Theory]
    [InlineData("203.0.113.9", "203.0.113.9")]
    [InlineData("198.51.100.1, 203.0.113.9", "203.0.113.9")]
    [InlineData("203.0.113.9, 10.0.0.5, 10.9.9.9", "203.0.113.9")]
    [InlineData("203.0.113.9:5123", "203.0.113.9")]
    [InlineData("[2001:db8::1]:80", "2001:db8::1")]
    [InlineData("garbage, 10.0.0.5", "10.0.0.5")]
    [InlineData("10.0.0.5, 10.0.0.6", "10.0.0.5")]
    public void Resolve_XForwardedForFromATrustedPeer_RightmostUntrustedAddress(string header, string expected)
    {
        // Act
        var client = ForwardedClient.Resolve(IPAddress.Loopback, StringValues.Empty, header, Proxies);

        // Assert
        client!.ToString().ShouldBe(expected);
    }

    [Theory]
    [InlineData("for=192.0.2.60;proto=http;by=203.0.113.43", "192.0.2.60")]
    [InlineData("for=\"[2001:db8:cafe::17]:4711\"", "2001:db8:cafe::17")]
    [InlineData("for=198.51.100.1, for=192.0.2.43", "192.0.2.43")]
    [InlineData("for=unknown, for=10.0.0.7", "10.0.0.7")]
    public void Resolve_ForwardedHeader_PreferredAndParsed(string header, string expected)
    {
        // Act
        var client = ForwardedClient.Resolve(IPAddress.Parse("10.1.1.1"), header, "203.0.113.200", Proxies);

        // Assert
        client!.ToString().ShouldBe(expected);
    }

    [Fact]
    public void Resolve_UntrustedPeer_HeadersIgnored()
    {
        // Act
        var client = ForwardedClient.Resolve(IPAddress.Parse("192.0.2.1"), "for=1.2.3.4", "1.2.3.4", Proxies);

        // Assert
        client.ShouldBe(IPAddress.Parse("192.0.2.1"));
    }

    [Fact]
    public void Resolve_Ipv4MappedPeer_TreatedAsIpv4()
    {
        // Act
        var client = ForwardedClient.Resolve(IPAddress.Loopback.MapToIPv6(), StringValues.Empty, "203.0.113.9", Proxies);

        // Assert
        client.ShouldBe(IPAddress.Parse("203.0.113.9"));
    }
}
