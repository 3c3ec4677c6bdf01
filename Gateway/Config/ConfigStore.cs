using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Edge.Gateway.Config;

/// <summary>
/// The configuration in one SQLite file (WAL). Every write is one transaction, so a kill -9 at any moment
/// leaves a store that opens. Requests never read it: the route table is an in-memory snapshot built from it.
/// </summary>
internal sealed partial class ConfigStore
{
    private static int _batteriesReady;

    private readonly string _connectionString;
    private readonly TimeProvider _time;

    // SQLite has one writer; serialising writes here turns SQLITE_BUSY retries into a cheap lock wait.
    private readonly Lock _writeLock = new();

    private ConfigStore(string connectionString, TimeProvider time)
    {
        _connectionString = connectionString;
        _time = time;
    }

    public static ConfigStore Open(string path, TimeProvider time)
    {
        if (Interlocked.Exchange(ref _batteriesReady, 1) == 0)
        {
            SQLitePCL.Batteries_V2.Init();
        }

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            ForeignKeys = true,
            Pooling = true,
        };
        var store = new ConfigStore(builder.ToString(), time);
        using var connection = store.Connect();
        Execute(connection, "PRAGMA journal_mode = WAL;");
        Migrations.Apply(connection);
        var check = Convert.ToString(ScalarOf(connection, "PRAGMA quick_check;"), CultureInfo.InvariantCulture);
        if (check != "ok")
        {
            throw new InvalidOperationException($"the store at {path} failed its integrity check: {check}");
        }

        return store;
    }

    public string Now() => _time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    // ---- domains ----

    public IReadOnlyList<DomainRecord> ListDomains() =>
        Query("SELECT * FROM domains ORDER BY created_at, id", ReadDomain);

    public DomainRecord? GetDomain(string id) =>
        Query("SELECT * FROM domains WHERE id = $id", ReadDomain, ("$id", id)).FirstOrDefault();

    public DomainRecord InsertDomain(DomainRecord d)
    {
        Write(conn => Exec(conn, """
            INSERT INTO domains (id, name, host, description, enabled, created_at, updated_at)
            VALUES ($id, $name, $host, $description, $enabled, $created, $updated)
            """, DomainParams(d)), $"a domain with host '{d.Host}' already exists");
        return d;
    }

    /// <summary>
    /// Reads the domain, applies <paramref name="change"/> and writes it back in one transaction, so concurrent
    /// partial updates of different fields never undo each other. Null when the domain does not exist.
    /// </summary>
    public DomainRecord? UpdateDomain(string id, Func<DomainRecord, DomainRecord> change) =>
        Write(conn =>
        {
            var current = Query(conn, "SELECT * FROM domains WHERE id = $id", ReadDomain, ("$id", id)).FirstOrDefault();
            if (current is null)
            {
                return null;
            }

            var d = change(current) with { Id = id, UpdatedAt = Now() };
            Exec(conn, """
                UPDATE domains SET name = $name, host = $host, description = $description, enabled = $enabled,
                    updated_at = $updated WHERE id = $id
                """, DomainParams(d));
            return d;
        }, "a domain with that host already exists");

    /// <summary>Deletes the domain, its collections and every endpoint in them or bound to its host.</summary>
    public bool DeleteDomain(string id) =>
        Write(conn =>
        {
            Exec(conn, "DELETE FROM endpoints WHERE domain = (SELECT host FROM domains WHERE id = $id)", ("$id", id));
            return Exec(conn, "DELETE FROM domains WHERE id = $id", ("$id", id)) > 0;
        });

    // ---- collections ----

    public IReadOnlyList<CollectionRecord> ListCollections(string? domainId) => domainId is null
        ? Query("SELECT * FROM collections ORDER BY created_at, id", ReadCollection)
        : Query("SELECT * FROM collections WHERE domain_id = $d ORDER BY created_at, id", ReadCollection, ("$d", domainId));

    public CollectionRecord? GetCollection(string id) =>
        Query("SELECT * FROM collections WHERE id = $id", ReadCollection, ("$id", id)).FirstOrDefault();

    public CollectionRecord InsertCollection(CollectionRecord c)
    {
        Write(conn => InsertCollection(conn, c));
        return c;
    }

    /// <summary>Read, change and write back in one transaction (see <see cref="UpdateDomain"/>).</summary>
    public CollectionRecord? UpdateCollection(string id, Func<CollectionRecord, CollectionRecord> change) =>
        Write(conn =>
        {
            var current = Query(conn, "SELECT * FROM collections WHERE id = $id", ReadCollection, ("$id", id)).FirstOrDefault();
            if (current is null)
            {
                return null;
            }

            var c = change(current) with { Id = id, UpdatedAt = Now() };
            UpdateCollection(conn, c);
            return c;
        });

    public bool DeleteCollection(string id) =>
        Write(conn => Exec(conn, "DELETE FROM collections WHERE id = $id", ("$id", id)) > 0);

    // ---- endpoints ----

    public IReadOnlyList<EndpointRecord> ListEndpoints(EndpointFilter? filter = null)
    {
        var sql = "SELECT * FROM endpoints WHERE 1 = 1";
        var args = new List<(string, object?)>();
        if (filter?.Domain is { } domain)
        {
            sql += " AND domain = $domain";
            args.Add(("$domain", domain));
        }

        if (filter?.CollectionId is { } collection)
        {
            sql += " AND collection_id = $collection";
            args.Add(("$collection", collection));
        }

        if (filter?.Enabled is { } enabled)
        {
            sql += " AND enabled = $enabled";
            args.Add(("$enabled", enabled ? 1 : 0));
        }

        return Query(sql + " ORDER BY created_at, id", ReadEndpoint, [.. args]);
    }

    public EndpointRecord? GetEndpoint(string id) =>
        Query("SELECT * FROM endpoints WHERE id = $id", ReadEndpoint, ("$id", id)).FirstOrDefault();

    public EndpointRecord InsertEndpoint(EndpointRecord e, string routeKey, string? createdBy = null)
    {
        Write(conn =>
        {
            InsertEndpoint(conn, e, routeKey, createdBy);
            return 0;
        }, $"an endpoint for {e.Method} {e.Path} on domain '{e.Domain}' already exists");
        return e;
    }

    /// <summary>
    /// Reads the endpoint, applies <paramref name="change"/> and writes it back in one transaction, so concurrent
    /// partial updates never undo each other; a code change keeps a new revision. Null when it does not exist.
    /// </summary>
    public EndpointRecord? UpdateEndpoint(string id, Func<EndpointRecord, EndpointRecord> change, Func<EndpointRecord, string> routeKey, string? createdBy = null) =>
        Write(conn => UpdateEndpoint(conn, id, change, routeKey, createdBy), "an endpoint with the same domain, method and path already exists");

    /// <summary>
    /// Writes a whole import in one transaction: an optional new or changed collection, new endpoints and changes
    /// to existing ones. Any conflict rolls everything back, so an import lands whole or not at all.
    /// </summary>
    public IReadOnlyList<EndpointRecord> ApplyImport(
        CollectionRecord? insertCollection,
        CollectionRecord? updateCollection,
        IReadOnlyList<EndpointRecord> inserts,
        IReadOnlyList<(string Id, Func<EndpointRecord, EndpointRecord> Change)> updates,
        Func<EndpointRecord, string> routeKey,
        string? createdBy = null) =>
        Write(conn =>
        {
            if (insertCollection is { } c)
            {
                InsertCollection(conn, c);
            }

            if (updateCollection is { } u)
            {
                UpdateCollection(conn, u with { UpdatedAt = Now() });
            }

            var written = new List<EndpointRecord>(inserts.Count + updates.Count);
            foreach (var e in inserts)
            {
                InsertEndpoint(conn, e, routeKey(e), createdBy);
                written.Add(e);
            }

            foreach (var (id, change) in updates)
            {
                written.Add(UpdateEndpoint(conn, id, change, routeKey, createdBy)
                    ?? throw new StoreConflictException($"endpoint '{id}' was deleted while the import ran"));
            }

            return (IReadOnlyList<EndpointRecord>)written;
        }, "the import conflicts with an existing endpoint (same domain, method and path)");

    private static int InsertCollection(SqliteConnection conn, CollectionRecord c) => Exec(conn, """
        INSERT INTO collections (id, domain_id, name, description, base_path, enabled, created_at, updated_at)
        VALUES ($id, $domain_id, $name, $description, $base_path, $enabled, $created, $updated)
        """, CollectionParams(c));

    private static int UpdateCollection(SqliteConnection conn, CollectionRecord c) => Exec(conn, """
        UPDATE collections SET name = $name, description = $description, base_path = $base_path,
            enabled = $enabled, updated_at = $updated WHERE id = $id
        """, CollectionParams(c));

    private static void InsertEndpoint(SqliteConnection conn, EndpointRecord e, string routeKey, string? createdBy)
    {
        Exec(conn, """
            INSERT INTO endpoints (id, name, path, route_key, method, domain, collection_id, description, code,
                dependencies, openapi, validate_requests, file_roots, auth, allowed_client_names, stream_body, rate_limit, max_concurrency, queue_limit, queue_timeout_ms, cors,
                enabled, timeout_ms, drain_timeout_ms, max_body_bytes, status, revision,
                compiled_revision, running_revision, last_error, created_at, updated_at)
            VALUES ($id, $name, $path, $route_key, $method, $domain, $collection_id, $description, $code,
                $dependencies, $openapi, $validate_requests, $file_roots, $auth, $allowed_client_names, $stream_body, $rate_limit, $max_concurrency, $queue_limit, $queue_timeout_ms, $cors,
                $enabled, $timeout_ms, $drain_timeout_ms, $max_body_bytes, $status, $revision,
                $compiled_revision, $running_revision, $last_error, $created, $updated)
            """, EndpointParams(e, routeKey));
        Exec(conn, "INSERT INTO endpoint_revisions (endpoint_id, revision, code, created_at, created_by) VALUES ($id, $rev, $code, $at, $by)",
            ("$id", e.Id), ("$rev", e.Revision), ("$code", e.Code), ("$at", e.CreatedAt), ("$by", createdBy));
    }

    private EndpointRecord? UpdateEndpoint(SqliteConnection conn, string id, Func<EndpointRecord, EndpointRecord> change, Func<EndpointRecord, string> routeKey, string? createdBy)
    {
        var current = Query(conn, "SELECT * FROM endpoints WHERE id = $id", ReadEndpoint, ("$id", id)).FirstOrDefault();
        if (current is null)
        {
            return null;
        }

        var e = change(current) with { Id = id, UpdatedAt = Now() };
        if (current.Code != e.Code)
        {
            e = e with { Revision = current.Revision + 1 };
            Exec(conn, "INSERT INTO endpoint_revisions (endpoint_id, revision, code, created_at, created_by) VALUES ($id, $rev, $code, $at, $by)",
                ("$id", id), ("$rev", e.Revision), ("$code", e.Code), ("$at", e.UpdatedAt), ("$by", createdBy));
        }

        Exec(conn, """
            UPDATE endpoints SET name = $name, path = $path, route_key = $route_key, method = $method, domain = $domain,
                collection_id = $collection_id, description = $description, code = $code, dependencies = $dependencies,
                openapi = $openapi, validate_requests = $validate_requests, file_roots = $file_roots, auth = $auth,
                allowed_client_names = $allowed_client_names, stream_body = $stream_body, rate_limit = $rate_limit,
                max_concurrency = $max_concurrency, queue_limit = $queue_limit, queue_timeout_ms = $queue_timeout_ms, cors = $cors, enabled = $enabled, timeout_ms = $timeout_ms,
                drain_timeout_ms = $drain_timeout_ms, max_body_bytes = $max_body_bytes, revision = $revision, updated_at = $updated
            WHERE id = $id
            """, EndpointParams(e, routeKey(e)));
        return e with { Status = current.Status, CompiledRevision = current.CompiledRevision, RunningRevision = current.RunningRevision, LastError = current.LastError };
    }

    /// <summary>Records the lifecycle outcome (status, compiled/running revision, last error) without touching the definition.</summary>
    public void SetEndpointState(string id, string status, int? compiledRevision, int? runningRevision, string? lastError) =>
        Write(conn => Exec(conn, """
            UPDATE endpoints SET status = $status, compiled_revision = $compiled, running_revision = $running,
                last_error = $error WHERE id = $id
            """, ("$id", id), ("$status", status), ("$compiled", compiledRevision), ("$running", runningRevision),
            ("$error", lastError)));

    /// <summary>Records the compile hashes and lifecycle outcomes of many endpoints in one transaction (bulk deploys).</summary>
    public void SetEndpointStates(
        IReadOnlyList<(string Id, int Revision, string Hash)> hashes,
        IReadOnlyList<(string Id, string Status, int? CompiledRevision, int? RunningRevision, string? LastError)> states) =>
        Write(conn =>
        {
            foreach (var (id, revision, hash) in hashes)
            {
                Exec(conn, "UPDATE endpoint_revisions SET compile_hash = $h WHERE endpoint_id = $id AND revision = $rev",
                    ("$h", hash), ("$id", id), ("$rev", revision));
            }

            foreach (var (id, status, compiled, running, error) in states)
            {
                Exec(conn, """
                    UPDATE endpoints SET status = $status, compiled_revision = $compiled, running_revision = $running,
                        last_error = $error WHERE id = $id
                    """, ("$id", id), ("$status", status), ("$compiled", compiled), ("$running", running), ("$error", error));
            }
        });

    public bool DeleteEndpoint(string id) =>
        Write(conn => Exec(conn, "DELETE FROM endpoints WHERE id = $id", ("$id", id)) > 0);

    public EndpointRevision? GetRevision(string endpointId, int revision) =>
        Query("SELECT * FROM endpoint_revisions WHERE endpoint_id = $id AND revision = $rev",
            ReadRevision,
            ("$id", endpointId), ("$rev", revision)).FirstOrDefault();

    public IReadOnlyList<EndpointRevision> ListRevisions(string endpointId) =>
        Query("SELECT * FROM endpoint_revisions WHERE endpoint_id = $id ORDER BY revision",
            ReadRevision,
            ("$id", endpointId));

    private static EndpointRevision ReadRevision(SqliteDataReader r) => new(
        r.GetString(r.GetOrdinal("endpoint_id")), r.GetInt32(r.GetOrdinal("revision")), r.GetString(r.GetOrdinal("code")),
        r.GetString(r.GetOrdinal("created_at")), Str(r, "compile_hash"), Str(r, "created_by"));

    public void SetRevisionHash(string endpointId, int revision, string hash) =>
        Write(conn => Exec(conn, "UPDATE endpoint_revisions SET compile_hash = $h WHERE endpoint_id = $id AND revision = $rev",
            ("$h", hash), ("$id", endpointId), ("$rev", revision)));

    // ---- services and bindings ----

    public IReadOnlyList<ServiceRecord> ListServices() =>
        Query("SELECT * FROM services ORDER BY created_at, id", ReadService);

    public ServiceRecord? GetService(string id) =>
        Query("SELECT * FROM services WHERE id = $id", ReadService, ("$id", id)).FirstOrDefault();

    public ServiceRecord InsertService(ServiceRecord s)
    {
        Write(conn => Exec(conn, """
            INSERT INTO services (id, name, service_type, config, enabled, created_at, updated_at)
            VALUES ($id, $name, $type, $config, $enabled, $created, $updated)
            """, ServiceParams(s)), $"a service named '{s.Name}' already exists");
        return s;
    }

    /// <summary>Read, change and write back in one transaction (see <see cref="UpdateDomain"/>).</summary>
    public ServiceRecord? UpdateService(string id, Func<ServiceRecord, ServiceRecord> change) =>
        Write(conn =>
        {
            var current = Query(conn, "SELECT * FROM services WHERE id = $id", ReadService, ("$id", id)).FirstOrDefault();
            if (current is null)
            {
                return null;
            }

            var s = change(current) with { Id = id, UpdatedAt = Now() };
            Exec(conn, """
                UPDATE services SET name = $name, service_type = $type, config = $config, enabled = $enabled,
                    updated_at = $updated WHERE id = $id
                """, ServiceParams(s));
            return s;
        }, "a service with that name already exists");

    public bool DeleteService(string id) =>
        Write(conn => Exec(conn, "DELETE FROM services WHERE id = $id", ("$id", id)) > 0);

    public IReadOnlyList<ServiceBinding> ListBindings(string endpointId) =>
        Query("SELECT endpoint_id, service_id, pool_id FROM endpoint_services WHERE endpoint_id = $id ORDER BY pool_id",
            r => new ServiceBinding(r.GetString(0), r.GetString(1), r.GetString(2)), ("$id", endpointId));

    public IReadOnlyList<ServiceBinding> ListAllBindings() =>
        Query("SELECT endpoint_id, service_id, pool_id FROM endpoint_services ORDER BY endpoint_id, pool_id",
            r => new ServiceBinding(r.GetString(0), r.GetString(1), r.GetString(2)));

    public ServiceBinding Bind(ServiceBinding binding)
    {
        Write(conn => Exec(conn, "INSERT INTO endpoint_services (endpoint_id, service_id, pool_id) VALUES ($e, $s, $p)",
            ("$e", binding.EndpointId), ("$s", binding.ServiceId), ("$p", binding.PoolId)),
            $"the endpoint already has that service bound, or another service bound as '{binding.PoolId}'");
        return binding;
    }

    public bool Unbind(string endpointId, string serviceId) =>
        Write(conn => Exec(conn, "DELETE FROM endpoint_services WHERE endpoint_id = $e AND service_id = $s",
            ("$e", endpointId), ("$s", serviceId)) > 0);

    // ---- plumbing ----

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private T Write<T>(Func<SqliteConnection, T> work, string? conflictMessage = null)
    {
        lock (_writeLock)
        {
            using var connection = Connect();

            // BEGIN IMMEDIATE takes the write lock up front; the whole change commits or none of it does.
            Exec(connection, "BEGIN IMMEDIATE;");
            try
            {
                var result = work(connection);
                Exec(connection, "COMMIT;");
                return result;
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == 19 && ex.SqliteExtendedErrorCode is 2067 or 1555)
            {
                Exec(connection, "ROLLBACK;");
                throw new StoreConflictException(conflictMessage ?? "the record conflicts with an existing one");
            }
            catch
            {
                Exec(connection, "ROLLBACK;");
                throw;
            }
        }
    }

    private void Write(Action<SqliteConnection> work) => Write(conn =>
    {
        work(conn);
        return 0;
    });

    private IReadOnlyList<T> Query<T>(string sql, Func<SqliteDataReader, T> read, params (string Name, object? Value)[] args)
    {
        using var connection = Connect();
        return Query(connection, sql, read, args);
    }

    private static List<T> Query<T>(SqliteConnection connection, string sql, Func<SqliteDataReader, T> read, params (string Name, object? Value)[] args)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        Bind(cmd, args);
        using var reader = cmd.ExecuteReader();
        var list = new List<T>();
        while (reader.Read())
        {
            list.Add(read(reader));
        }

        return list;
    }

    private static int Exec(SqliteConnection connection, string sql, params (string Name, object? Value)[] args)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        Bind(cmd, args);
        return cmd.ExecuteNonQuery();
    }

    private static void Execute(SqliteConnection connection, string sql) => Exec(connection, sql);

    private static object? ScalarOf(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    private static void Bind(SqliteCommand cmd, (string Name, object? Value)[] args)
    {
        foreach (var (name, value) in args)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
    }

    private static (string, object?)[] DomainParams(DomainRecord d) =>
    [
        ("$id", d.Id), ("$name", d.Name), ("$host", d.Host), ("$description", d.Description),
        ("$enabled", d.Enabled ? 1 : 0), ("$created", d.CreatedAt), ("$updated", d.UpdatedAt),
    ];

    private static (string, object?)[] CollectionParams(CollectionRecord c) =>
    [
        ("$id", c.Id), ("$domain_id", c.DomainId), ("$name", c.Name), ("$description", c.Description),
        ("$base_path", c.BasePath), ("$enabled", c.Enabled ? 1 : 0), ("$created", c.CreatedAt), ("$updated", c.UpdatedAt),
    ];

    private static (string, object?)[] EndpointParams(EndpointRecord e, string routeKey) =>
    [
        ("$id", e.Id), ("$name", e.Name), ("$path", e.Path), ("$route_key", routeKey), ("$method", e.Method),
        ("$domain", e.Domain), ("$collection_id", e.CollectionId), ("$description", e.Description), ("$code", e.Code),
        ("$dependencies", e.Dependencies), ("$openapi", e.OpenApi), ("$validate_requests", e.ValidateRequests ? 1 : 0),
        ("$file_roots", e.FileRoots), ("$auth", e.Auth), ("$allowed_client_names", e.AllowedClientNames),
        ("$stream_body", e.StreamBody ? 1 : 0),
        ("$rate_limit", e.RateLimit), ("$max_concurrency", e.MaxConcurrency), ("$queue_limit", e.QueueLimit),
        ("$queue_timeout_ms", e.QueueTimeoutMs), ("$cors", e.Cors),
        ("$enabled", e.Enabled ? 1 : 0), ("$timeout_ms", e.TimeoutMs),
        ("$drain_timeout_ms", e.DrainTimeoutMs), ("$max_body_bytes", e.MaxBodyBytes), ("$status", e.Status),
        ("$revision", e.Revision), ("$compiled_revision", e.CompiledRevision), ("$running_revision", e.RunningRevision),
        ("$last_error", e.LastError), ("$created", e.CreatedAt), ("$updated", e.UpdatedAt),
    ];

    private static (string, object?)[] ServiceParams(ServiceRecord s) =>
    [
        ("$id", s.Id), ("$name", s.Name), ("$type", s.ServiceType), ("$config", s.Config), ("$enabled", s.Enabled ? 1 : 0),
        ("$created", s.CreatedAt), ("$updated", s.UpdatedAt),
    ];

    private static ServiceRecord ReadService(SqliteDataReader r) => new()
    {
        Id = Str(r, "id")!,
        Name = Str(r, "name")!,
        ServiceType = Str(r, "service_type")!,
        Config = Str(r, "config") ?? "{}",
        Enabled = Int(r, "enabled") == 1,
        CreatedAt = Str(r, "created_at")!,
        UpdatedAt = Str(r, "updated_at")!,
    };

    private static string? Str(SqliteDataReader r, string column)
    {
        var i = r.GetOrdinal(column);
        return r.IsDBNull(i) ? null : r.GetString(i);
    }

    private static int? Int(SqliteDataReader r, string column)
    {
        var i = r.GetOrdinal(column);
        return r.IsDBNull(i) ? null : r.GetInt32(i);
    }

    private static DomainRecord ReadDomain(SqliteDataReader r) => new()
    {
        Id = Str(r, "id")!,
        Name = Str(r, "name")!,
        Host = Str(r, "host")!,
        Description = Str(r, "description"),
        Enabled = Int(r, "enabled") == 1,
        CreatedAt = Str(r, "created_at")!,
        UpdatedAt = Str(r, "updated_at")!,
    };

    private static CollectionRecord ReadCollection(SqliteDataReader r) => new()
    {
        Id = Str(r, "id")!,
        DomainId = Str(r, "domain_id")!,
        Name = Str(r, "name")!,
        Description = Str(r, "description"),
        BasePath = Str(r, "base_path"),
        Enabled = Int(r, "enabled") == 1,
        CreatedAt = Str(r, "created_at")!,
        UpdatedAt = Str(r, "updated_at")!,
    };

    private static EndpointRecord ReadEndpoint(SqliteDataReader r) => new()
    {
        Id = Str(r, "id")!,
        Name = Str(r, "name")!,
        Path = Str(r, "path")!,
        Method = Str(r, "method")!,
        Domain = Str(r, "domain")!,
        CollectionId = Str(r, "collection_id"),
        Description = Str(r, "description"),
        Code = Str(r, "code") ?? "",
        Dependencies = Str(r, "dependencies"),
        OpenApi = Str(r, "openapi"),
        ValidateRequests = Int(r, "validate_requests") == 1,
        FileRoots = Str(r, "file_roots"),
        Auth = Str(r, "auth") ?? EndpointAuth.None,
        AllowedClientNames = Str(r, "allowed_client_names"),
        StreamBody = Int(r, "stream_body") == 1,
        RateLimit = Str(r, "rate_limit"),
        MaxConcurrency = Int(r, "max_concurrency"),
        QueueLimit = Int(r, "queue_limit"),
        QueueTimeoutMs = Int(r, "queue_timeout_ms"),
        Cors = Str(r, "cors"),
        Enabled = Int(r, "enabled") == 1,
        TimeoutMs = Int(r, "timeout_ms") ?? EndpointRecord.DefaultTimeoutMs,
        DrainTimeoutMs = Int(r, "drain_timeout_ms") ?? EndpointRecord.DefaultDrainTimeoutMs,
        MaxBodyBytes = r.GetInt64(r.GetOrdinal("max_body_bytes")),
        Status = Str(r, "status")!,
        Revision = Int(r, "revision") ?? 1,
        CompiledRevision = Int(r, "compiled_revision"),
        RunningRevision = Int(r, "running_revision"),
        LastError = Str(r, "last_error"),
        CreatedAt = Str(r, "created_at")!,
        UpdatedAt = Str(r, "updated_at")!,
    };
}
