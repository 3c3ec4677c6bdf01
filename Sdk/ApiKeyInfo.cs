namespace Edge.Sdk;

/// <summary>The traffic key a request was authenticated with (<see cref="Request.ApiKey"/>); never the key itself.</summary>
public sealed class ApiKeyInfo
{
    internal ApiKeyInfo(string id, string name, IReadOnlyList<string> scopes)
    {
        Id = id;
        Name = name;
        Scopes = scopes;
    }

    /// <summary>The key's id, as the admin API lists it.</summary>
    public string Id { get; }

    /// <summary>The name given when the key was created.</summary>
    public string Name { get; }

    /// <summary>The key's scopes.</summary>
    public IReadOnlyList<string> Scopes { get; }
}
