namespace Edge.Gateway.Handlers;

internal sealed record StartupReport(int Loaded, int Failed, int Recompiled, double DurationMs);
