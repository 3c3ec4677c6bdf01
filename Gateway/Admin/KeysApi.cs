using System.Globalization;
using Edge.Gateway.Config;
using Edge.Gateway.Keys;

namespace Edge.Gateway.Admin;

/// <summary>
/// <c>/api/keys</c> (traffic keys, presented to the gateway) and <c>/api/admin-keys</c> (scoped keys for this API).
/// The key is in the answer to its creation only; lists and reads show its public prefix, never the key or its hash.
/// </summary>
internal static class KeysApi
{
    public const int MaxScopes = 64;

    private static readonly string[] Fields = ["name", "scopes", "expires_at"];
    // "key" is not among them: a client that sends its own key must learn that edge makes keys, not take them.
    private static readonly string[] ReadOnly = ["id", "prefix", "created_at", "last_used_at"];

    public static void Map(RouteGroupBuilder api)
    {
        MapKind(api, "/keys", ApiKeyRecord.Traffic);
        MapKind(api, "/admin-keys", ApiKeyRecord.Admin);
    }

    private static void MapKind(RouteGroupBuilder api, string route, string kind)
    {
        var what = kind == ApiKeyRecord.Admin ? "admin key" : "key";

        api.MapGet(route, (ConfigStore store, KeyRing ring) =>
            AdminJson.Ok(store.ListKeys(kind).Select(k => View(k, ring)).ToList()));

        api.MapGet(route + "/{id}", (string id, ConfigStore store, KeyRing ring) =>
            store.ListKeys(kind).FirstOrDefault(k => k.Id == id) is { } key ? AdminJson.Ok(View(key, ring)) : AdminJson.NotFound(what, id));

        api.MapPost(route, async (HttpContext http, ConfigStore store, KeyRing ring, TimeProvider time) =>
        {
            var (input, error) = await JsonInput.ReadAsync(http.Request);
            if (input is null)
            {
                return error!;
            }

            input.RejectUnknown(Fields, ReadOnly);
            if (input.Has("key"))
            {
                input.Error("key", "is made by edge and shown once in this answer; it cannot be chosen");
            }

            var name = input.String("name", required: true, maxLength: 200);
            var scopes = input.Strings("scopes", MaxScopes, 300);
            var expiresText = input.String("expires_at", maxLength: 64);
            var admin = kind == ApiKeyRecord.Admin;
            if (admin && scopes is null && !input.Has("scopes"))
            {
                input.Error("scopes", "is required for an admin key (e.g. [\"endpoints:read\"]; \"*\" for everything)");
            }

            scopes ??= admin ? [] : ["*"];
            if (scopes.Count == 0 && input.Has("scopes"))
            {
                input.Error("scopes", "must name at least one scope");
            }

            foreach (var scope in scopes)
            {
                if (KeyScopes.Problem(scope, admin) is { } problem)
                {
                    input.Error("scopes", problem);
                }
            }

            DateTimeOffset? expires = null;
            if (expiresText is not null)
            {
                if (!DateTimeOffset.TryParse(expiresText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                {
                    input.Error("expires_at", $"must be an ISO 8601 date and time like 2027-01-31T00:00:00Z, got '{expiresText}'");
                }
                else if (parsed <= time.GetUtcNow())
                {
                    input.Error("expires_at", "must be in the future");
                }
                else
                {
                    expires = parsed.ToUniversalTime();
                }
            }

            if (input.Problems() is { } problems)
            {
                return problems;
            }

            var caller = AdminCaller.Of(http);
            if (admin && !KeyScopes.Covers(caller.Scopes, scopes))
            {
                return AdminJson.Fail(StatusCodes.Status403Forbidden, $"'{caller.Name}' cannot hand out scopes it does not hold ({string.Join(", ", scopes)})");
            }

            var (key, prefix, hash) = KeyRing.Generate(kind);
            var record = store.InsertKey(new ApiKeyRecord
            {
                Id = Validation.NewId(),
                Kind = kind,
                Name = name!,
                Prefix = prefix,
                SecretHash = hash,
                Scopes = scopes,
                CreatedAt = store.Now(),
                ExpiresAt = expires?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            });
            ring.Reload();
            return AdminJson.Ok(new
            {
                record.Id,
                record.Name,
                Key = key,
                record.Prefix,
                record.Scopes,
                record.ExpiresAt,
                record.CreatedAt,
            }, StatusCodes.Status201Created);
        });

        api.MapDelete(route + "/{id}", (HttpContext http, string id, ConfigStore store, KeyRing ring) =>
        {
            var existing = store.ListKeys(kind).FirstOrDefault(k => k.Id == id);
            if (existing is null)
            {
                return AdminJson.NotFound(what, id);
            }

            var caller = AdminCaller.Of(http);
            if (kind == ApiKeyRecord.Admin && !KeyScopes.Covers(caller.Scopes, existing.Scopes))
            {
                return AdminJson.Fail(StatusCodes.Status403Forbidden, $"'{caller.Name}' cannot revoke a key with scopes it does not hold");
            }

            store.DeleteKey(kind, id);
            ring.Reload();
            return AdminJson.Ok(null);
        });
    }

    private static object View(ApiKeyRecord k, KeyRing ring) => new
    {
        k.Id,
        k.Name,
        k.Prefix,
        k.Scopes,
        k.ExpiresAt,
        k.CreatedAt,
        LastUsedAt = ring.LastUsed(k.Id)?.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
    };
}
