namespace Edge.Services.Redis;

/// <summary>
/// Redis could not be reached or used (refused, lost, TLS rejected, AUTH refused): a 503. Its message is short and
/// password-free, and it carries no inner exception on purpose: the 503 text is built from the whole chain.
/// </summary>
internal sealed class RedisUnavailableException(string message) : Exception(message);
