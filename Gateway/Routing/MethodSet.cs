namespace Edge.Gateway.Routing;

/// <summary>The targets of one path shape, per HTTP method; HEAD falls back to GET.</summary>
internal sealed class MethodSet
{
    private RouteEntry? _get, _post, _put, _delete, _patch, _head, _options;

    public string Allow { get; private set; } = "";

    public bool TryAdd(string method, RouteEntry entry)
    {
        ref var slot = ref Slot(method);
        if (slot is not null)
        {
            return false;
        }

        slot = entry;
        var methods = new List<string>(8);
        void Add(RouteEntry? e, string name)
        {
            if (e is not null)
            {
                methods.Add(name);
            }
        }

        Add(_get, "GET");
        Add(_head ?? _get, "HEAD");
        Add(_post, "POST");
        Add(_put, "PUT");
        Add(_patch, "PATCH");
        Add(_delete, "DELETE");
        Add(_options, "OPTIONS");
        Allow = string.Join(", ", methods);
        return true;
    }

    public RouteEntry? Get(string method) => method switch
    {
        "GET" => _get,
        "POST" => _post,
        "PUT" => _put,
        "DELETE" => _delete,
        "PATCH" => _patch,
        "HEAD" => _head ?? _get,
        "OPTIONS" => _options,
        _ => null,
    };

    private ref RouteEntry? Slot(string method)
    {
        switch (method)
        {
            case "GET": return ref _get;
            case "POST": return ref _post;
            case "PUT": return ref _put;
            case "DELETE": return ref _delete;
            case "PATCH": return ref _patch;
            case "HEAD": return ref _head;
            case "OPTIONS": return ref _options;
            default: throw new ArgumentException($"unsupported method '{method}'", nameof(method));
        }
    }
}
