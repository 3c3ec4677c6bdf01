namespace Edge.Gateway.Config;

internal static class EndpointStatus
{
    public const string Created = "created";
    public const string Compiled = "compiled";
    public const string Running = "running";
    public const string Stopped = "stopped";
    public const string Error = "error";
}
