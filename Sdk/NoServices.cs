namespace Edge.Sdk;

/// <summary>The resolver of a context made without a host (handler unit tests): every name is unknown.</summary>
internal sealed class NoServices : IServiceResolver
{
    public static readonly NoServices Instance = new();

    public T Resolve<T>(Context context, string name, string accessor)
        where T : class => throw Unknown(name);

    public IRecords Records(Context context, string name, string tableOrPath) => throw Unknown(name);

    private static HandlerError Unknown(string name) => HandlerError.ServiceUnavailable($"service '{name}' is not available: this context has no services");
}
