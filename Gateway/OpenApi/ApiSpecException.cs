namespace Edge.Gateway.OpenApi;

/// <summary>The document as a whole cannot be imported (not OpenAPI, no paths object, unsupported version).</summary>
internal sealed class ApiSpecException(string message) : Exception(message);
