namespace Edge.Gateway.Policies;

/// <summary>How a request fared at an endpoint's concurrency limit.</summary>
internal enum ConcurrencyOutcome
{
    Acquired,
    QueueFull,
    TimedOut,
    ClientGone,
}
