using System.Net;
using System.Net.Sockets;

namespace Edge.Tests.Common;

/// <summary>Finds a TCP port nobody listens on by binding port 0 and releasing it.</summary>
public static class FreePort
{
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
