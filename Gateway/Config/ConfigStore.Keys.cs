using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Edge.Gateway.Config;

/// <summary>The <c>api_keys</c> table: traffic and admin keys (hashes only).</summary>
internal sealed partial class ConfigStore
{
    public IReadOnlyList<ApiKeyRecord> ListKeys(string? kind = null) => kind is null
        ? Query("SELECT * FROM api_keys ORDER BY created_at, id", ReadKey)
        : Query("SELECT * FROM api_keys WHERE kind = $kind ORDER BY created_at, id", ReadKey, ("$kind", kind));

    public ApiKeyRecord InsertKey(ApiKeyRecord k)
    {
        Write(conn => Exec(conn, """
            INSERT INTO api_keys (id, kind, name, prefix, secret_hash, scopes, created_at, expires_at)
            VALUES ($id, $kind, $name, $prefix, $hash, $scopes, $created, $expires)
            """,
            ("$id", k.Id), ("$kind", k.Kind), ("$name", k.Name), ("$prefix", k.Prefix), ("$hash", k.SecretHash),
            ("$scopes", JsonSerializer.Serialize(k.Scopes)), ("$created", k.CreatedAt), ("$expires", k.ExpiresAt)),
            "a key with that prefix already exists (retry)");
        return k;
    }

    /// <summary>Deletes the key of that kind; false when there is none.</summary>
    public bool DeleteKey(string kind, string id) =>
        Write(conn => Exec(conn, "DELETE FROM api_keys WHERE id = $id AND kind = $kind", ("$id", id), ("$kind", kind)) > 0);

    private static ApiKeyRecord ReadKey(SqliteDataReader r) => new()
    {
        Id = Str(r, "id")!,
        Kind = Str(r, "kind")!,
        Name = Str(r, "name")!,
        Prefix = Str(r, "prefix")!,
        SecretHash = (byte[])r.GetValue(r.GetOrdinal("secret_hash")),
        Scopes = JsonSerializer.Deserialize<string[]>(Str(r, "scopes") ?? "[]") ?? [],
        CreatedAt = Str(r, "created_at")!,
        ExpiresAt = Str(r, "expires_at"),
    };
}
