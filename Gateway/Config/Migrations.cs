using Microsoft.Data.Sqlite;

namespace Edge.Gateway.Config;

/// <summary>Versioned schema steps, applied in order at start; PRAGMA user_version records the last one applied.</summary>
internal static class Migrations
{
    private static readonly string[] Steps =
    [
        // 1: the initial schema.
        """
        CREATE TABLE domains (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            host TEXT NOT NULL UNIQUE COLLATE NOCASE,
            description TEXT,
            enabled INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE collections (
            id TEXT PRIMARY KEY,
            domain_id TEXT NOT NULL REFERENCES domains(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            description TEXT,
            base_path TEXT,
            enabled INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE INDEX ix_collections_domain ON collections(domain_id);
        CREATE TABLE endpoints (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            path TEXT NOT NULL,
            route_key TEXT NOT NULL,
            method TEXT NOT NULL,
            domain TEXT NOT NULL COLLATE NOCASE,
            collection_id TEXT REFERENCES collections(id) ON DELETE CASCADE,
            description TEXT,
            code TEXT NOT NULL DEFAULT '',
            dependencies TEXT,
            enabled INTEGER NOT NULL DEFAULT 1,
            timeout_ms INTEGER NOT NULL,
            drain_timeout_ms INTEGER NOT NULL,
            max_body_bytes INTEGER NOT NULL,
            status TEXT NOT NULL,
            revision INTEGER NOT NULL,
            compiled_revision INTEGER,
            running_revision INTEGER,
            last_error TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (domain, method, route_key)
        );
        CREATE INDEX ix_endpoints_collection ON endpoints(collection_id);
        CREATE TABLE endpoint_revisions (
            endpoint_id TEXT NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
            revision INTEGER NOT NULL,
            code TEXT NOT NULL,
            compile_hash TEXT,
            created_at TEXT NOT NULL,
            PRIMARY KEY (endpoint_id, revision)
        );
        CREATE TABLE services (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            service_type TEXT NOT NULL,
            config TEXT NOT NULL DEFAULT '{}',
            enabled INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE endpoint_services (
            endpoint_id TEXT NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
            service_id TEXT NOT NULL REFERENCES services(id) ON DELETE CASCADE,
            pool_id TEXT NOT NULL,
            PRIMARY KEY (endpoint_id, service_id),
            UNIQUE (endpoint_id, pool_id)
        );
        """,

        // 2: imported endpoints keep their OpenAPI operation (the "contract") and may validate requests against it.
        """
        ALTER TABLE endpoints ADD COLUMN openapi TEXT;
        ALTER TABLE endpoints ADD COLUMN validate_requests INTEGER NOT NULL DEFAULT 0;
        """,

        // 3: the folders a handler's Response.File may read (a JSON array of absolute paths; null = none).
        """
        ALTER TABLE endpoints ADD COLUMN file_roots TEXT;
        """,

        // 4: endpoints that read their request body as a stream (req.BodyStream) instead of buffered.
        """
        ALTER TABLE endpoints ADD COLUMN stream_body INTEGER NOT NULL DEFAULT 0;
        """,

        // 5: API keys for traffic and scoped admin keys (only a SHA-256 of the secret is kept); endpoint auth.
        """
        CREATE TABLE api_keys (
            id          TEXT PRIMARY KEY,
            kind        TEXT NOT NULL CHECK (kind IN ('traffic', 'admin')),
            name        TEXT NOT NULL,
            prefix      TEXT NOT NULL UNIQUE,
            secret_hash BLOB NOT NULL,
            scopes      TEXT NOT NULL,
            created_at  TEXT NOT NULL,
            expires_at  TEXT
        );
        ALTER TABLE endpoints ADD COLUMN auth TEXT NOT NULL DEFAULT 'none';
        ALTER TABLE endpoints ADD COLUMN allowed_client_names TEXT;
        """,

        // 6: per-endpoint traffic policies: rate_limit and cors as JSON objects, the concurrency limit and its queue.
        """
        ALTER TABLE endpoints ADD COLUMN rate_limit TEXT;
        ALTER TABLE endpoints ADD COLUMN max_concurrency INTEGER;
        ALTER TABLE endpoints ADD COLUMN queue_limit INTEGER;
        ALTER TABLE endpoints ADD COLUMN queue_timeout_ms INTEGER;
        ALTER TABLE endpoints ADD COLUMN cors TEXT;
        """,

        // 7: who saved each revision (the admin caller: 'root' or an admin key's name; null for older rows and the CLI).
        """
        ALTER TABLE endpoint_revisions ADD COLUMN created_by TEXT;
        """,
    ];

    public static int Latest => Steps.Length;

    public static void Apply(SqliteConnection connection)
    {
        var current = Convert.ToInt32(Scalar(connection, "PRAGMA user_version;"), System.Globalization.CultureInfo.InvariantCulture);
        if (current > Steps.Length)
        {
            throw new InvalidOperationException(
                $"the store was written by a newer edge (schema {current}, this build knows {Steps.Length}); refusing to open it");
        }

        for (var version = current + 1; version <= Steps.Length; version++)
        {
            // One transaction per step: a crash mid-migration leaves the previous version intact.
            using var tx = connection.BeginTransaction();
            using (var cmd = connection.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = Steps[version - 1] + $"\nPRAGMA user_version = {version};";
                cmd.ExecuteNonQuery();
            }

            tx.Commit();
        }
    }

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }
}
