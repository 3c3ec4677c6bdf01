namespace Edge.Gateway.Hosting;

/// <summary>The resolved admin token, kept in one place and never serialised or logged.</summary>
internal sealed record AdminTokenHolder(string Token)
{
    public override string ToString() => "AdminTokenHolder { Token = *** }";
}
