using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Sdk;

namespace Edge.Services.Records;

/// <summary>
/// Records as one <c>{id}.json</c> file per document in a store of named files (an S3 prefix, an FTP/SFTP
/// folder). Create and update check existence, then write: not atomic across concurrent writers of one id.
/// </summary>
internal abstract class DocumentFileRecords(JsonSerializerOptions json) : IRecords
{
    /// <summary>The document's bytes, or null when there is no such file.</summary>
    protected abstract Task<byte[]?> ReadAsync(string id);

    protected abstract Task WriteAsync(string id, byte[] document);

    protected abstract Task<bool> RemoveAsync(string id);

    /// <summary>The names of the files directly in the store's folder (not below it).</summary>
    protected abstract Task<IEnumerable<string>> ListNamesAsync();

    /// <summary>Where a document lives, for error messages.</summary>
    protected abstract string Where(string id);

    public async Task<JsonObject?> GetAsync(string id)
    {
        RecordDocuments.CheckId(id);
        var bytes = await ReadAsync(id);
        return bytes is null ? null : RecordDocuments.Parse(bytes, Where(id));
    }

    public async Task<IReadOnlyList<JsonObject>> ListAsync(string? filter = null)
    {
        var ids = (await ListNamesAsync())
            .Where(name => name.EndsWith(".json", StringComparison.Ordinal))
            .Select(name => name[..^5])
            .Where(id => id.Length is > 0 and <= RecordDocuments.MaxIdLength && id[0] != '.')
            .ToList();
        var documents = await Task.WhenAll(ids.Select(async id => (Id: id, Bytes: await ReadAsync(id))));
        return [.. documents
            .Where(d => d.Bytes is not null)
            .Select(d => (d.Id, Doc: RecordDocuments.Parse(d.Bytes, Where(d.Id))))
            .Where(d => RecordDocuments.FileMatches(d.Id, d.Doc, filter))
            .OrderBy(d => d.Id, StringComparer.Ordinal)
            .Select(d => d.Doc)];
    }

    public async Task CreateAsync(string id, object document)
    {
        RecordDocuments.CheckId(id);
        var obj = RecordDocuments.ToObject(id, document, json);
        if (await ReadAsync(id) is not null)
        {
            throw HandlerError.Conflict($"a record with id '{id}' already exists");
        }

        await WriteAsync(id, RecordDocuments.ToBytes(obj));
    }

    public async Task UpdateAsync(string id, object document)
    {
        RecordDocuments.CheckId(id);
        var obj = RecordDocuments.ToObject(id, document, json);
        if (await ReadAsync(id) is null)
        {
            throw HandlerError.NotFound($"no record with id '{id}'");
        }

        await WriteAsync(id, RecordDocuments.ToBytes(obj));
    }

    public Task<bool> DeleteAsync(string id)
    {
        RecordDocuments.CheckId(id);
        return RemoveAsync(id);
    }
}
