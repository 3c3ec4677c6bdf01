namespace Edge.Gateway.Routing;

/// <summary>Holds the current route table; a rebuilt table replaces it whole with one atomic exchange.</summary>
internal sealed class RouteTableHolder
{
    private RouteTable _current = RouteTable.Empty;

    public RouteTable Current => Volatile.Read(ref _current);

    public RouteTable Publish(RouteTable table) => Interlocked.Exchange(ref _current, table);
}
