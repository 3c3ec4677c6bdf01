namespace Edge.Gateway.Handlers;

/// <summary>A rollback: the new revision holding the old code, the version it copied, and the endpoint's status after.</summary>
internal sealed record RollbackOutcome(int Revision, int RolledBackTo, string Status, int? ReplacedRevision);
