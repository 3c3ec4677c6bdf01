using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Sdk;

namespace Edge.Services.Records;

/// <summary>Records as files <c>{folder}/{id}.json</c> on an FTP, FTPS or SFTP server (inside the service's base path).</summary>
internal sealed class FileRecords(IFileTransfer files, string folder, JsonSerializerOptions json) : IRecords
{
    private readonly string _folder = folder.Trim('/');

    public async Task<JsonObject?> GetAsync(string id)
    {
        RecordDocuments.CheckId(id);
        var bytes = await files.GetAsync(PathOf(id));
        return bytes is null ? null : RecordDocuments.Parse(bytes, PathOf(id));
    }

    public async Task<IReadOnlyList<JsonObject>> ListAsync(string? filter = null)
    {
        var names = await files.ListAsync(_folder);
        var ids = names.Where(n => n.EndsWith(".json", StringComparison.Ordinal)).Select(n => n[..^5]).Where(IsId).ToList();
        var documents = await Task.WhenAll(ids.Select(async id => (Id: id, Bytes: await files.GetAsync(PathOf(id)))));
        return [.. documents
            .Where(d => d.Bytes is not null)
            .Select(d => (d.Id, Doc: RecordDocuments.Parse(d.Bytes, PathOf(d.Id))))
            .Where(d => RecordDocuments.FileMatches(d.Id, d.Doc, filter))
            .OrderBy(d => d.Id, StringComparer.Ordinal)
            .Select(d => d.Doc)];
    }

    public async Task CreateAsync(string id, object document)
    {
        RecordDocuments.CheckId(id);
        var obj = RecordDocuments.ToObject(id, document, json);
        if (await files.GetAsync(PathOf(id)) is not null)
        {
            throw HandlerError.Conflict($"a record with id '{id}' already exists");
        }

        await files.PutAsync(PathOf(id), RecordDocuments.ToBytes(obj));
    }

    public async Task UpdateAsync(string id, object document)
    {
        RecordDocuments.CheckId(id);
        var obj = RecordDocuments.ToObject(id, document, json);
        if (await files.GetAsync(PathOf(id)) is null)
        {
            throw HandlerError.NotFound($"no record with id '{id}'");
        }

        await files.PutAsync(PathOf(id), RecordDocuments.ToBytes(obj));
    }

    public Task<bool> DeleteAsync(string id)
    {
        RecordDocuments.CheckId(id);
        return files.DeleteAsync(PathOf(id));
    }

    private static bool IsId(string id) => id.Length is > 0 and <= RecordDocuments.MaxIdLength && id[0] != '.';

    private string PathOf(string id) => _folder.Length == 0 ? $"{id}.json" : $"{_folder}/{id}.json";
}
