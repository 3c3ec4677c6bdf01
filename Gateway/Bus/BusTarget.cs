namespace Edge.Gateway.Bus;

/// <summary>What a bus call needs to know about an endpoint: its id, name, path pattern and whether it is enabled.</summary>
internal sealed record BusTarget(string Id, string Name, string Path, bool Enabled);
