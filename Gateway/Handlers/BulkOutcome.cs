namespace Edge.Gateway.Handlers;

/// <summary>What a bulk compile (and start) did to one endpoint; <see cref="Error"/> says why it stopped short.</summary>
internal sealed record BulkOutcome(bool Compiled, bool Started, Exception? Error);
