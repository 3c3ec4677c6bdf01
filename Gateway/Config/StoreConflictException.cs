namespace Edge.Gateway.Config;

/// <summary>A write broke a uniqueness rule (same host, same route, same name): the admin API answers 409.</summary>
internal sealed class StoreConflictException(string message) : Exception(message);
