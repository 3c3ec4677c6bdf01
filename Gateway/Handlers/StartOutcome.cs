namespace Edge.Gateway.Handlers;

/// <summary>The revision now serving, and the one it replaced (which drains), if any.</summary>
internal sealed record StartOutcome(int Revision, int? ReplacedRevision);
