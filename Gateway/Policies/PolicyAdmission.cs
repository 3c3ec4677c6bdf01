namespace Edge.Gateway.Policies;

/// <summary>
/// The result of an endpoint's policy checks: whether the request goes on to the handler (when not, the answer has been
/// written), and the concurrency slot it holds, released once its response (streamed bodies included) has ended.
/// </summary>
internal readonly struct PolicyAdmission(bool admitted, ConcurrencyLimiter? slot)
{
    public static readonly PolicyAdmission Open = new(true, null);
    public static readonly PolicyAdmission Refused = new(false, null);

    public bool Admitted { get; } = admitted;

    public void Release() => slot?.Release();
}
