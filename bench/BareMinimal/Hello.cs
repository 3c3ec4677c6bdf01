namespace Edge.Bench.BareMinimal;

internal sealed record Hello(string Message);
