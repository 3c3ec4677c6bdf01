namespace Edge.Gateway.OpenApi;

/// <summary>What is wrong with one part of a spec; <see cref="Pointer"/> is a JSON pointer into the document.</summary>
internal sealed record SpecProblem(string? Operation, string Pointer, string Message);
