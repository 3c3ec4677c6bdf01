using System.Text.Json;
using Edge.Gateway.Bus;

namespace Edge.Sdk;

/// <summary>
/// What a handler gets besides the request: cancellation, identifiers, logging and the service handles.
/// A service is named by the endpoint's binding <c>pool_id</c> when one is bound under that name, else by the
/// service's own name; an unknown or inactive service answers 503 with a message naming it.
/// </summary>
public sealed class Context
{
    // Stands in _linked once Release ran, so a late RequestAborted never creates a source nobody disposes.
    private static readonly CancellationTokenSource Released = new();

    private readonly IHandlerLogSink _log;
    private readonly CancellationToken _clientAborted;
    private readonly IServiceResolver _services;
    private readonly SharedStateStore _state;

    // PERF: most handlers never look at RequestAborted, so the linked source is made only when asked for.
    private CancellationTokenSource? _linked;
    private int _timedOut;
    private SharedState? _stateView;
    private BusHub? _bus;
    private MessageBus? _busView;

    /// <summary>Creates a context for unit tests of a handler: endpoint "test", a fresh request id, logs dropped, an empty <see cref="State"/> of its own.</summary>
    public Context()
        : this(NullHandlerLogSink.Instance, "test", Guid.NewGuid().ToString("N"), CancellationToken.None)
    {
    }

    internal Context(
        IHandlerLogSink log,
        string endpointId,
        string requestId,
        CancellationToken clientAborted,
        IServiceResolver? services = null,
        JsonSerializerOptions? json = null,
        SharedStateStore? state = null,
        BusHub? bus = null,
        int busDepth = 0)
    {
        _log = log;
        EndpointId = endpointId;
        RequestId = requestId;
        _clientAborted = clientAborted;
        _services = services ?? NoServices.Instance;
        JsonOptions = json ?? JsonSerializerOptions.Web;
        _state = state ?? new SharedStateStore(TimeProvider.System);
        _bus = bus;
        BusDepth = busDepth;
    }

    /// <summary>Cancelled when the client goes away or the endpoint's timeout fires.</summary>
    public CancellationToken RequestAborted
    {
        get
        {
            var source = Volatile.Read(ref _linked);
            if (source is null)
            {
                if (Volatile.Read(ref _timedOut) != 0)
                {
                    // Already timed out: a cancelled token needs no source.
                    return new CancellationToken(canceled: true);
                }

                source = CreateSource();
            }

            if (ReferenceEquals(source, Released))
            {
                // The request is over.
                return new CancellationToken(canceled: true);
            }

            return source.Token;
        }
    }

    /// <summary>The request's id (also sent back as <c>x-request-id</c>).</summary>
    public string RequestId { get; }

    /// <summary>The id of the endpoint this handler serves.</summary>
    public string EndpointId { get; }

    /// <summary>The process-wide key/value store shared by all handlers, with atomic operations and expiry.</summary>
    // PERF: the view (it carries this version's serializer options) is made only when a handler asks for it.
    public SharedState State => _stateView ??= new SharedState(_state, JsonOptions);

    /// <summary>
    /// The message bus: publish/subscribe on topics shared by every handler (and every instance when bridged through
    /// Redis), and in-process calls of other endpoints by name. See <see cref="MessageBus"/>.
    /// </summary>
    // PERF: made only when a handler asks for it; a unit-test context gets an in-process bus of its own.
    public MessageBus Bus => _busView ??= new MessageBus(_bus ??= new BusHub(), this);

    /// <summary>How many bus calls deep this request is (0 for a request that came over HTTP).</summary>
    internal int BusDepth { get; }

    /// <summary>The handler version's serializer options (dropped with the version, so they never pin it).</summary>
    internal JsonSerializerOptions JsonOptions { get; }

    /// <summary>SQL on the <c>sqlite</c>, <c>postgres</c> or <c>mysql</c> service called <paramref name="name"/>.</summary>
    public IDatabase Database(string name) => _services.Resolve<IDatabase>(this, name, nameof(Database));

    /// <summary>The <c>redis</c> service called <paramref name="name"/>.</summary>
    public ICache Cache(string name) => _services.Resolve<ICache>(this, name, nameof(Cache));

    /// <summary>The S3-compatible (<c>minio</c>) service called <paramref name="name"/>.</summary>
    public IObjectStorage Storage(string name) => _services.Resolve<IObjectStorage>(this, name, nameof(Storage));

    /// <summary>The <c>ftp</c> service (FTP, FTPS or SFTP) called <paramref name="name"/>.</summary>
    public IFileTransfer Ftp(string name) => _services.Resolve<IFileTransfer>(this, name, nameof(Ftp));

    /// <summary>The <c>email</c> (SMTP) service called <paramref name="name"/>.</summary>
    public IEmail Email(string name) => _services.Resolve<IEmail>(this, name, nameof(Email));

    /// <summary>
    /// JSON documents by id in <paramref name="tableOrPath"/> of service <paramref name="name"/>: a table of a
    /// database service, a key prefix of an S3 service, or a folder of an FTP/SFTP service.
    /// </summary>
    public IRecords Records(string name, string tableOrPath) => _services.Records(this, name, tableOrPath);

    /// <summary>True once the endpoint's timeout fired for this request.</summary>
    internal bool TimedOut => Volatile.Read(ref _timedOut) != 0;

    /// <summary>Writes an information line to the endpoint's log.</summary>
    public void Log(string message) => _log.Write(HandlerLogLevel.Info, message ?? string.Empty, RequestId);

    /// <summary>Writes a warning line to the endpoint's log.</summary>
    public void LogWarning(string message) => _log.Write(HandlerLogLevel.Warning, message ?? string.Empty, RequestId);

    /// <summary>Writes an error line to the endpoint's log.</summary>
    public void LogError(string message) => _log.Write(HandlerLogLevel.Error, message ?? string.Empty, RequestId);

    /// <summary>Marks the request timed out and cancels <see cref="RequestAborted"/>; safe from any thread, once or many times.</summary>
    internal void CancelForTimeout()
    {
        if (Interlocked.Exchange(ref _timedOut, 1) != 0)
        {
            return;
        }

        // Pairs with CreateSource: either it sees _timedOut, or this sees its source (both fences are full).
        var source = Volatile.Read(ref _linked);
        if (source is not null && !ReferenceEquals(source, Released))
        {
            Cancel(source);
        }
    }

    /// <summary>Disposes the linked source, if one was made; the host calls it once the request has ended.</summary>
    internal void Release()
    {
        var source = Interlocked.Exchange(ref _linked, Released);
        if (source is not null && !ReferenceEquals(source, Released))
        {
            source.Dispose();
        }
    }

    private CancellationTokenSource CreateSource()
    {
        var created = _clientAborted.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(_clientAborted)
            : new CancellationTokenSource();
        var winner = Interlocked.CompareExchange(ref _linked, created, null);
        if (winner is not null)
        {
            // Another thread (or Release) got there first.
            created.Dispose();
            return winner;
        }

        if (Volatile.Read(ref _timedOut) != 0)
        {
            // The timeout fired between the check in RequestAborted and the exchange above.
            Cancel(created);
        }

        return created;
    }

    private void Cancel(CancellationTokenSource source)
    {
        try
        {
            // PERF: callbacks the handler registered run on the thread pool, not on the caller's
            // (the host's shared timeout ticker); the state flips to cancelled before this returns.
            var callbacks = source.CancelAsync();
            if (!callbacks.IsCompletedSuccessfully)
            {
                callbacks.ContinueWith(
                    static (task, state) => ((Context)state!).LogCallbackFailure(task),
                    this,
                    CancellationToken.None,
                    TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
        }
        catch (ObjectDisposedException)
        {
            // Release ran concurrently: the request is over, nothing left to cancel.
        }
    }

    private void LogCallbackFailure(Task task)
    {
        var error = task.Exception?.GetBaseException();
        _log.Write(HandlerLogLevel.Error, $"a cancellation callback threw: {error?.GetType().Name}: {error?.Message}", RequestId);
    }
}
