using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Sdk;

namespace Edge.Services.Records;

/// <summary>
/// Records as rows of a SQL table <c>(id, status, data, created_at, updated_at)</c>, created on first use with
/// DDL that runs on SQLite, PostgreSQL and MySQL/MariaDB alike. <c>data</c> holds the JSON document;
/// <c>status</c> mirrors its <c>status</c> field so lists can filter on it with an index.
/// </summary>
internal sealed class TableRecords : IRecords
{

    private readonly IDatabase _db;
    private readonly string _table;
    private readonly JsonSerializerOptions _json;
    private readonly ConcurrentDictionary<string, byte> _ensured;

    public TableRecords(IDatabase db, string table, JsonSerializerOptions json, ConcurrentDictionary<string, byte> ensured)
    {
        if (string.IsNullOrEmpty(table) || table.Length > 63 || !(char.IsAsciiLetter(table[0]) || table[0] == '_') ||
            !table.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw HandlerError.Internal($"records table name must be a plain SQL identifier (letters, digits, '_', at most 63), got '{table}'");
        }

        _db = db;
        _table = table;
        _json = json;
        _ensured = ensured;
    }

    public async Task<JsonObject?> GetAsync(string id)
    {
        RecordDocuments.CheckId(id);
        await EnsureTableAsync();
        var data = await _db.ScalarAsync<string>($"SELECT data FROM {_table} WHERE id = @id", new Dictionary<string, object?> { ["id"] = id });
        return data is null ? null : RecordDocuments.Parse(System.Text.Encoding.UTF8.GetBytes(data), $"'{id}' in table {_table}");
    }

    public async Task<IReadOnlyList<JsonObject>> ListAsync(string? filter = null)
    {
        await EnsureTableAsync();
        var rows = filter is null
            ? await _db.QueryAsync($"SELECT id, data FROM {_table} ORDER BY id")
            : await _db.QueryAsync($"SELECT id, data FROM {_table} WHERE status = @status ORDER BY id", new Dictionary<string, object?> { ["status"] = filter });
        var list = new List<JsonObject>(rows.Count);
        foreach (var row in rows)
        {
            list.Add(RecordDocuments.Parse(System.Text.Encoding.UTF8.GetBytes(row["data"]?.ToString() ?? ""), $"'{row["id"]}' in table {_table}"));
        }

        return list;
    }

    public async Task CreateAsync(string id, object document)
    {
        RecordDocuments.CheckId(id);
        var obj = RecordDocuments.ToObject(id, document, _json);
        await EnsureTableAsync();
        var now = Now();
        try
        {
            await _db.ExecuteAsync(
                $"INSERT INTO {_table} (id, status, data, created_at, updated_at) VALUES (@id, @status, @data, @now, @now)",
                new Dictionary<string, object?> { ["id"] = id, ["status"] = RecordDocuments.Status(obj), ["data"] = obj.ToJsonString(), ["now"] = now });
        }
        catch (HandlerError ex) when (ex.StatusCode == 500)
        {
            // Portable duplicate detection: the insert failed, and the id is there.
            if (await ExistsAsync(id))
            {
                throw HandlerError.Conflict($"a record with id '{id}' already exists");
            }

            throw;
        }
    }

    public async Task UpdateAsync(string id, object document)
    {
        RecordDocuments.CheckId(id);
        var obj = RecordDocuments.ToObject(id, document, _json);
        await EnsureTableAsync();
        var changed = await _db.ExecuteAsync(
            $"UPDATE {_table} SET status = @status, data = @data, updated_at = @now WHERE id = @id",
            new Dictionary<string, object?> { ["id"] = id, ["status"] = RecordDocuments.Status(obj), ["data"] = obj.ToJsonString(), ["now"] = Now() });
        if (changed == 0)
        {
            throw HandlerError.NotFound($"no record with id '{id}'");
        }
    }

    public async Task<bool> DeleteAsync(string id)
    {
        RecordDocuments.CheckId(id);
        await EnsureTableAsync();
        return await _db.ExecuteAsync($"DELETE FROM {_table} WHERE id = @id", new Dictionary<string, object?> { ["id"] = id }) > 0;
    }

    private async Task<bool> ExistsAsync(string id) =>
        await _db.ScalarAsync<long>($"SELECT COUNT(*) FROM {_table} WHERE id = @id", new Dictionary<string, object?> { ["id"] = id }) > 0;

    private async Task EnsureTableAsync()
    {
        if (_ensured.ContainsKey(_table))
        {
            return;
        }

        // Portable DDL: VARCHAR keys (MySQL cannot index TEXT), TEXT documents, ISO-8601 timestamps as text.
        await _db.ExecuteAsync($"""
            CREATE TABLE IF NOT EXISTS {_table} (
                id VARCHAR(128) NOT NULL PRIMARY KEY,
                status VARCHAR(128),
                data TEXT NOT NULL,
                created_at VARCHAR(40) NOT NULL,
                updated_at VARCHAR(40) NOT NULL)
            """);
        _ensured.TryAdd(_table, 0);
    }

    private static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
