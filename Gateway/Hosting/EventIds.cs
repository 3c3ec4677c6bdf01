namespace Edge.Gateway.Hosting;

/// <summary>Every event id edge logs with, in one place.</summary>
internal static class EventIds
{
    public const int Started = 1;
    public const int EndpointLoaded = 10;
    public const int EndpointLoadFailed = 11;
    public const int EndpointCompiled = 12;
    public const int CompileFailed = 13;
    public const int CacheWriteFailed = 14;
    public const int VersionSwapped = 20;
    public const int VersionUnloaded = 21;
    public const int DrainTimedOut = 22;
    public const int HandlerFailed = 30;
    public const int HandlerTimedOut = 31;
    public const int RouteTableRebuilt = 40;
    public const int AdminRequestFailed = 60;
    public const int Imported = 70;
    public const int CertificateReloaded = 80;
    public const int CertificateReloadFailed = 81;
    public const int ClientCertificateRejected = 82;
    public const int BusBridgeWaiting = 90;
    public const int BusBridgeConnected = 91;
    public const int BusBridgeLost = 92;
    public const int BusBridgeRestored = 93;
    public const int BusBridgeFailed = 94;
    public const int StreamFileStored = 100;
    public const int StreamFileDeleted = 101;
    public const int StreamRouteFailed = 102;
}
