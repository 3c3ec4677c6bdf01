using Microsoft.AspNetCore.Connections;

namespace Edge.Gateway.Hosting;

/// <summary>
/// At most <c>--max-connections</c> open connections on the gateway's ports together; one more is closed as soon as it
/// is accepted, before any TLS work. The admin port is not counted, so operators can still reach it during a flood.
/// </summary>
internal sealed class ConnectionLimit(int max)
{
    private int _open;

    /// <summary>Connections open now.</summary>
    public int Open => Volatile.Read(ref _open);

    public ConnectionDelegate Wrap(ConnectionDelegate next) => async connection =>
    {
        if (Interlocked.Increment(ref _open) > max)
        {
            Interlocked.Decrement(ref _open);
            connection.Abort(new ConnectionAbortedException($"the gateway is at its limit of {max} connections"));
            return;
        }

        try
        {
            await next(connection);
        }
        finally
        {
            Interlocked.Decrement(ref _open);
        }
    };
}
