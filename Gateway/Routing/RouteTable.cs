using System.Collections.Frozen;

namespace Edge.Gateway.Routing;

/// <summary>
/// An immutable snapshot of every route: host → path → method. Built whole, published whole, never mutated,
/// so lookups take no lock. Literal paths are one hash probe (no allocation); parameter paths walk a segment
/// trie where, at each segment, a literal child is tried before the parameter child.
/// </summary>
internal sealed class RouteTable
{
    public const string AnyHost = "*";

    private readonly FrozenDictionary<string, HostRoutes> _hosts;
    private readonly FrozenDictionary<string, HostRoutes>.AlternateLookup<ReadOnlySpan<char>> _hostLookup;
    private readonly HostRoutes? _anyHost;

    private RouteTable(FrozenDictionary<string, HostRoutes> hosts, HostRoutes? anyHost, int count)
    {
        _hosts = hosts;
        _hostLookup = hosts.GetAlternateLookup<ReadOnlySpan<char>>();
        _anyHost = anyHost;
        Count = count;
    }

    public static RouteTable Empty { get; } = Build([]);

    public int Count { get; }

    /// <summary>Builds a table; throws <see cref="ArgumentException"/> if two routes claim the same host, method and shape.</summary>
    public static RouteTable Build(IEnumerable<RouteDefinition> routes)
    {
        var builders = new Dictionary<string, HostRoutes.Builder>(StringComparer.OrdinalIgnoreCase);
        var count = 0;
        foreach (var route in routes)
        {
            if (!builders.TryGetValue(route.Host, out var builder))
            {
                builders[route.Host] = builder = new HostRoutes.Builder();
            }

            if (!builder.TryAdd(route))
            {
                throw new ArgumentException($"duplicate route {route.Method} {route.Pattern.Text} on host '{route.Host}'", nameof(routes));
            }

            count++;
        }

        builders.Remove(AnyHost, out var anyBuilder);
        var hosts = builders.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.Build(), StringComparer.OrdinalIgnoreCase);
        return new RouteTable(hosts, anyBuilder?.Build(), count);
    }

    /// <summary>
    /// Finds the route for a request. <paramref name="host"/> may carry a port. An exact host wins over "*";
    /// a path that exists with other methods only gives 405 with the Allow list.
    /// </summary>
    public RouteMatch Match(ReadOnlySpan<char> host, string method, string path)
    {
        var length = path.Length;
        if (length > 1 && path[length - 1] == '/')
        {
            length--;
        }
        else if (length == 0)
        {
            path = "/";
            length = 1;
        }

        string? allow = null;
        if (_hosts.Count > 0 && _hostLookup.TryGetValue(StripPort(host), out var exact))
        {
            var match = exact.Match(method, path, length, ref allow);
            if (match.Kind == RouteMatchKind.Found)
            {
                return match;
            }
        }

        if (_anyHost is not null)
        {
            var match = _anyHost.Match(method, path, length, ref allow);
            if (match.Kind == RouteMatchKind.Found)
            {
                return match;
            }
        }

        return allow is null ? RouteMatch.NotFound : RouteMatch.MethodNotAllowed(allow);
    }

    private static ReadOnlySpan<char> StripPort(ReadOnlySpan<char> host)
    {
        if (host.Length > 0 && host[0] == '[')
        {
            var close = host.IndexOf(']');
            return close > 0 ? host[..(close + 1)] : host;
        }

        var colon = host.LastIndexOf(':');
        return colon >= 0 ? host[..colon] : host;
    }

    /// <summary>The routes of one host.</summary>
    private sealed class HostRoutes
    {
        private readonly FrozenDictionary<string, MethodSet>.AlternateLookup<ReadOnlySpan<char>> _literal;
        private readonly int _literalCount;
        private readonly Node? _root;
        private readonly int _maxParameters;

        private HostRoutes(FrozenDictionary<string, MethodSet> literal, Node? root, int maxParameters)
        {
            _literal = literal.GetAlternateLookup<ReadOnlySpan<char>>();
            _literalCount = literal.Count;
            _root = root;
            _maxParameters = maxParameters;
        }

        public RouteMatch Match(string method, string path, int length, ref string? allow)
        {
            // PERF: literal routes are one frozen-dictionary probe on a span of the path: no allocation.
            if (_literalCount > 0 && _literal.TryGetValue(path.AsSpan(0, length), out var set))
            {
                if (set.Get(method) is { } entry)
                {
                    return RouteMatch.Found(entry.Target, null);
                }

                allow ??= set.Allow;
            }

            if (_root is null)
            {
                return RouteMatch.NotFound;
            }

            Span<Range> captures = stackalloc Range[_maxParameters];
            var found = Walk(_root, method, path, length, 0, captures, 0, ref allow);
            if (found is null)
            {
                return RouteMatch.NotFound;
            }

            var names = found.ParameterNames;
            var parameters = new Dictionary<string, string>(names.Length, StringComparer.Ordinal);
            for (var i = 0; i < names.Length; i++)
            {
                parameters[names[i]] = path[captures[i]];
            }

            return RouteMatch.Found(found.Target, parameters);
        }

        private static RouteEntry? Walk(Node node, string method, string path, int length, int position, Span<Range> captures, int captured, ref string? allow)
        {
            if (position >= length)
            {
                if (node.Methods is null)
                {
                    return null;
                }

                if (node.Methods.Get(method) is { } entry)
                {
                    return entry;
                }

                allow ??= node.Methods.Allow;
                return null;
            }

            // path[position] is '/': the next segment runs to the next '/' or the end.
            var start = position + 1;
            var slash = path.AsSpan(start, length - start).IndexOf('/');
            var end = slash < 0 ? length : start + slash;
            if (end == start)
            {
                return null;
            }

            if (node.Literals is { } literals && literals.TryGetValue(path.AsSpan(start, end - start), out var child))
            {
                if (Walk(child, method, path, length, end, captures, captured, ref allow) is { } found)
                {
                    return found;
                }
            }

            if (node.Parameter is { } parameter && captured < captures.Length)
            {
                captures[captured] = new Range(start, end);
                return Walk(parameter, method, path, length, end, captures, captured + 1, ref allow);
            }

            return null;
        }

        /// <summary>Mutable while building; frozen into <see cref="HostRoutes"/>.</summary>
        public sealed class Builder
        {
            private readonly Dictionary<string, MethodSet> _literal = new(StringComparer.Ordinal);
            private readonly NodeBuilder _root = new();
            private int _maxParameters;
            private bool _hasParameterRoutes;

            public bool TryAdd(RouteDefinition route)
            {
                var entry = new RouteEntry(route.Target, route.Pattern.ParameterNames);
                if (route.Pattern.IsLiteral)
                {
                    if (!_literal.TryGetValue(route.Pattern.Text, out var set))
                    {
                        _literal[route.Pattern.Text] = set = new MethodSet();
                    }

                    return set.TryAdd(route.Method, entry);
                }

                _hasParameterRoutes = true;
                _maxParameters = Math.Max(_maxParameters, route.Pattern.ParameterNames.Length);
                var node = _root;
                foreach (var segment in route.Pattern.Segments)
                {
                    if (segment.IsParameter)
                    {
                        node = node.Parameter ??= new NodeBuilder();
                    }
                    else if (!node.Literals.TryGetValue(segment.Value, out var next))
                    {
                        node = node.Literals[segment.Value] = new NodeBuilder();
                    }
                    else
                    {
                        node = next;
                    }
                }

                return (node.Methods ??= new MethodSet()).TryAdd(route.Method, entry);
            }

            public HostRoutes Build() => new(
                _literal.ToFrozenDictionary(StringComparer.Ordinal),
                _hasParameterRoutes ? _root.Freeze() : null,
                _maxParameters);
        }
    }

    private sealed class Node(FrozenDictionary<string, Node>? literals, Node? parameter, MethodSet? methods)
    {
        public FrozenDictionary<string, Node>.AlternateLookup<ReadOnlySpan<char>>? Literals { get; } =
            literals is null ? null : literals.GetAlternateLookup<ReadOnlySpan<char>>();

        public Node? Parameter { get; } = parameter;
        public MethodSet? Methods { get; } = methods;
    }

    private sealed class NodeBuilder
    {
        public Dictionary<string, NodeBuilder> Literals { get; } = new(StringComparer.Ordinal);
        public NodeBuilder? Parameter { get; set; }
        public MethodSet? Methods { get; set; }

        public Node Freeze() => new(
            Literals.Count == 0 ? null : Literals.ToFrozenDictionary(kv => kv.Key, kv => kv.Value.Freeze(), StringComparer.Ordinal),
            Parameter?.Freeze(),
            Methods);
    }
}
