namespace Edge.Services;

/// <summary>Live counters of an active service, shown by the services API.</summary>
internal sealed record ServiceStatus(
    int InFlight,
    int Queued,
    int PeakInFlight,
    int MaxInFlight,
    int MaxQueue,
    int CallTimeoutMs,
    long Calls,
    long Failures,
    long Unavailable,
    long Rejected,
    long Timeouts,
    string? BackendDown);
