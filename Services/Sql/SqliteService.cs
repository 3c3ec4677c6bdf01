using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Edge.Services.Sql;

/// <summary>
/// A SQLite file (path relative to edge's working directory). The native library is already initialised by the
/// config store (<c>ConfigStore.Open</c> runs <c>Batteries_V2.Init</c> before any service loads). Files are put in
/// WAL mode, connections wait up to the call timeout on a locked database, and a missing file is refused unless
/// <c>create_if_missing</c> is true. Microsoft.Data.Sqlite is synchronous, so calls run on pool threads.
/// </summary>
internal sealed class SqliteService : SqlService
{
    private readonly string _path;
    private readonly bool _createIfMissing;
    private readonly string _connectionString;
    private readonly int _busyTimeoutMs;
    private int _walChecked;

    public SqliteService(ServiceDefinition definition, ILogger logger)
        : base(definition, logger)
    {
        _path = Path.GetFullPath(ServiceConfig.RequiredString(Config, "path"));
        _createIfMissing = ServiceConfig.Bool(Config, "create_if_missing") ?? false;
        _busyTimeoutMs = Limits.CallTimeoutMs;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = _path,
            Mode = _createIfMissing ? SqliteOpenMode.ReadWriteCreate : SqliteOpenMode.ReadWrite,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = CommandTimeoutSeconds,
        }.ToString();
    }

    public override string Engine => "sqlite";

    protected override SqlThreading Threading => SqlThreading.PoolThread;

    protected override string VersionQuery => "select sqlite_version()";

    protected override ValueTask<DbConnection> OpenAsync(CancellationToken cancel)
    {
        if (!_createIfMissing && !File.Exists(_path))
        {
            throw new SqlConnectException($"the SQLite file '{_path}' does not exist (create_if_missing is false)");
        }

        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using (var pragma = connection.CreateCommand())
            {
                // busy_timeout is per connection; journal_mode is stored in the file, so once per service is enough.
                pragma.CommandText = Volatile.Read(ref _walChecked) == 0
                    ? $"PRAGMA busy_timeout = {_busyTimeoutMs}; PRAGMA journal_mode = WAL;"
                    : $"PRAGMA busy_timeout = {_busyTimeoutMs};";
                pragma.ExecuteNonQuery();
            }

            Volatile.Write(ref _walChecked, 1);
            return ValueTask.FromResult<DbConnection>(connection);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    // Microsoft.Data.Sqlite's Cancel does nothing; sqlite3_interrupt stops the running statement.
    protected override void Interrupt(DbConnection connection, DbCommand command) =>
        SQLitePCL.raw.sqlite3_interrupt(((SqliteConnection)connection).Handle);

    // 5 busy, 6 locked (after busy_timeout), 10 I/O error, 11 corrupt, 13 disk full, 14 cannot open, 26 not a database.
    protected override bool IsBroken(Exception error) =>
        error is SqliteException { SqliteErrorCode: 5 or 6 or 10 or 11 or 13 or 14 or 26 };

    protected override void ClearPool()
    {
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
    }

    protected override string DescribeVersion(string version) => $"SQLite {version} ({_path})";

    // Microsoft.Data.Sqlite binds Guid as a 16-byte blob; text keeps it readable and equal to what the other engines return.
    protected override object AdaptParameter(object value) => value is Guid g ? g.ToString() : value;

    public override ValueTask DisposeAsync()
    {
        ClearPool();
        return ValueTask.CompletedTask;
    }
}
