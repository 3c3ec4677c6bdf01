namespace Edge.Gateway.Handlers;

/// <summary>The endpoint is not in a state that allows the action (never compiled, disabled): a 409.</summary>
internal sealed class EndpointStateException(string message) : Exception(message);
