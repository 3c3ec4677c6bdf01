namespace Edge.Gateway.Handlers;

/// <summary>A moment's count of loaded and draining versions and the requests on them.</summary>
internal readonly record struct RegistryStats(int Loaded, int Draining, int ActiveRequests, int DrainingRequests, int ContextsAlive, long UnloadedTotal);
