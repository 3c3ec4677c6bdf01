namespace Edge.Sdk;

/// <summary>How a <see cref="Context"/> turns a service name into a handle; the host supplies it.</summary>
internal interface IServiceResolver
{
    /// <summary>The handle of kind <typeparamref name="T"/> for <paramref name="name"/>, or a <see cref="HandlerError"/> (503 unknown/inactive, 500 wrong kind).</summary>
    T Resolve<T>(Context context, string name, string accessor)
        where T : class;

    /// <summary>The records view of <paramref name="name"/> over <paramref name="tableOrPath"/>.</summary>
    IRecords Records(Context context, string name, string tableOrPath);
}
