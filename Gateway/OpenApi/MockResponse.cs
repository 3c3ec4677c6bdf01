namespace Edge.Gateway.OpenApi;

/// <summary>What a generated mock handler answers: the status, the content type and the body text (null for none).</summary>
internal sealed record MockResponse(int Status, string? ContentType, string? Body);
