using System.Collections.Frozen;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Services;

/// <summary>
/// The service types edge connects to and the <c>config</c> fields each takes. Validation names every bad
/// field; secrets (passwords, secret keys, private keys) are redacted whenever a config leaves the gateway.
/// </summary>
internal static class ServiceSchemas
{
    public const string Redacted = "********";

    private static readonly ConfigField[] Limits =
    [
        new("max_in_flight", ConfigFieldKind.Integer, Min: 1, Max: 10_000),
        new("max_queue", ConfigFieldKind.Integer, Min: 0, Max: 100_000),
        new("call_timeout_ms", ConfigFieldKind.Integer, Min: 1, Max: 600_000),
    ];

    private static readonly ConfigField[] Tls =
    [
        new("ca_cert_path", ConfigFieldKind.String),
        new("tls_skip_verify", ConfigFieldKind.Boolean),
    ];

    private static readonly ConfigField Host = new("host", ConfigFieldKind.String, Required: true);
    private static readonly ConfigField Port = new("port", ConfigFieldKind.Integer, Min: 1, Max: 65_535);
    private static readonly ConfigField Password = new("password", ConfigFieldKind.String, Secret: true);
    private static readonly ConfigField PoolSize = new("pool_size", ConfigFieldKind.Integer, Min: 1, Max: 1_000);

    public static readonly FrozenDictionary<string, ConfigField[]> Types = new Dictionary<string, ConfigField[]>
    {
        ["sqlite"] = [new("path", ConfigFieldKind.String, Required: true), new("create_if_missing", ConfigFieldKind.Boolean), .. Limits],
        ["postgres"] =
        [
            Host, Port, new("database", ConfigFieldKind.String, Required: true), new("username", ConfigFieldKind.String, Required: true),
            Password, new("ssl_mode", ConfigFieldKind.Choice, Allowed: ["disable", "prefer", "require", "verify-ca", "verify-full"]),
            PoolSize, .. Tls, .. Limits,
        ],
        ["mysql"] =
        [
            Host, Port, new("database", ConfigFieldKind.String, Required: true), new("username", ConfigFieldKind.String, Required: true),
            Password, new("use_ssl", ConfigFieldKind.Boolean), PoolSize, .. Tls, .. Limits,
        ],
        ["redis"] =
        [
            Host, Port, Password, new("database", ConfigFieldKind.Integer, Min: 0, Max: 1_000), new("use_tls", ConfigFieldKind.Boolean),
            PoolSize, .. Tls, .. Limits,
        ],
        ["minio"] =
        [
            new("endpoint", ConfigFieldKind.String, Required: true), new("access_key", ConfigFieldKind.String, Required: true),
            new("secret_key", ConfigFieldKind.String, Required: true, Secret: true), new("bucket", ConfigFieldKind.String, Required: true),
            new("use_ssl", ConfigFieldKind.Boolean), new("region", ConfigFieldKind.String), .. Tls, .. Limits,
        ],
        ["ftp"] =
        [
            Host, Port, new("username", ConfigFieldKind.String, Required: true), Password,
            new("protocol", ConfigFieldKind.Choice, Required: true, Allowed: ["ftp", "ftps", "sftp"]),
            new("base_path", ConfigFieldKind.String), new("timeout_seconds", ConfigFieldKind.Integer, Min: 1, Max: 3_600),
            new("passive", ConfigFieldKind.Boolean), new("private_key_path", ConfigFieldKind.String),
            new("private_key", ConfigFieldKind.String, Secret: true), new("known_hosts_path", ConfigFieldKind.String),
            new("host_key_fingerprint", ConfigFieldKind.String), .. Tls, .. Limits,
        ],
        ["email"] =
        [
            Host, Port, new("username", ConfigFieldKind.String), Password,
            new("encryption", ConfigFieldKind.Choice, Allowed: ["none", "starttls"]),
            new("from_address", ConfigFieldKind.String, Required: true), new("from_name", ConfigFieldKind.String), .. Tls, .. Limits,
        ],
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>Checks a whole config against its type; <paramref name="error"/> gets (field, problem) for each bad field.</summary>
    public static void Validate(string type, JsonObject config, Action<string, string> error)
    {
        if (!Types.TryGetValue(type, out var fields))
        {
            error("service_type", $"must be one of {string.Join(", ", Types.Keys.Order())}, got '{type}'");
            return;
        }

        var byName = fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        foreach (var (name, _) in config)
        {
            if (!byName.ContainsKey(name))
            {
                error($"config.{name}", $"unknown field for service type {type}");
            }
        }

        foreach (var field in fields)
        {
            if (!config.TryGetPropertyValue(field.Name, out var node) || node is null)
            {
                if (field.Required)
                {
                    error($"config.{field.Name}", "is required");
                }

                continue;
            }

            var problem = Check(field, node);
            if (problem is not null)
            {
                error($"config.{field.Name}", problem);
            }
        }

        if (type == "email" && config["encryption"]?.GetValueKind() == JsonValueKind.String && config["port"]?.ToString() == "465")
        {
            error("config.port", "465 means implicit TLS, which the SMTP client here cannot do: use 587 with encryption 'starttls'");
        }

        if (type == "ftp" && config["protocol"]?.ToString() == "sftp" &&
            config["known_hosts_path"] is null && config["host_key_fingerprint"] is null)
        {
            error("config.host_key_fingerprint", "sftp needs known_hosts_path or host_key_fingerprint (SHA256:…): unknown host keys are refused");
        }
    }

    /// <summary>A copy with every secret that is set replaced by <see cref="Redacted"/>.</summary>
    public static JsonObject Redact(string type, JsonObject config)
    {
        var copy = (JsonObject)config.DeepClone();
        if (Types.TryGetValue(type, out var fields))
        {
            foreach (var field in fields)
            {
                if (field.Secret && copy[field.Name] is { } value && value.GetValueKind() != JsonValueKind.Null)
                {
                    copy[field.Name] = Redacted;
                }
            }
        }

        return copy;
    }

    /// <summary>
    /// Applies a partial config onto the stored one. A secret left out, sent back as <see cref="Redacted"/> or sent
    /// empty keeps the stored secret, so a client may PUT what it got from GET (or a form whose password box was left
    /// blank) without erasing passwords; null clears it.
    /// </summary>
    public static JsonObject Merge(string type, JsonObject stored, JsonObject patch)
    {
        var merged = (JsonObject)stored.DeepClone();
        var secrets = Types.TryGetValue(type, out var fields)
            ? fields.Where(f => f.Secret).Select(f => f.Name).ToHashSet(StringComparer.Ordinal)
            : [];
        foreach (var (name, value) in patch)
        {
            if (secrets.Contains(name) && value?.GetValueKind() == JsonValueKind.String && value.GetValue<string>() is Redacted or "")
            {
                continue;
            }

            merged[name] = value?.DeepClone();
        }

        return merged;
    }

    private static string? Check(ConfigField field, JsonNode node)
    {
        var kind = node.GetValueKind();
        switch (field.Kind)
        {
            case ConfigFieldKind.String:
                return kind == JsonValueKind.String && node.GetValue<string>().Length is > 0 and <= 4096 ? null : "must be a non-empty string";
            case ConfigFieldKind.Boolean:
                return kind is JsonValueKind.True or JsonValueKind.False ? null : "must be true or false";
            case ConfigFieldKind.Integer:
                return kind == JsonValueKind.Number && node.AsValue().TryGetValue<long>(out var n) && n >= field.Min && n <= field.Max
                    ? null
                    : $"must be an integer between {field.Min} and {field.Max}";
            default:
                return kind == JsonValueKind.String && field.Allowed!.Contains(node.GetValue<string>())
                    ? null
                    : $"must be one of {string.Join(", ", field.Allowed!)}";
        }
    }
}
