using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Sdk;

namespace Edge.Services.Records;

/// <summary>Records as objects <c>{prefix}/{id}.json</c> in an S3 bucket.</summary>
internal sealed class ObjectRecords(IObjectStorage storage, string prefix, JsonSerializerOptions json) : IRecords
{
    private readonly string _prefix = prefix.Trim('/') is { Length: > 0 } p ? p + "/" : "";

    public async Task<JsonObject?> GetAsync(string id)
    {
        RecordDocuments.CheckId(id);
        var bytes = await storage.GetAsync(Key(id));
        return bytes is null ? null : RecordDocuments.Parse(bytes, Key(id));
    }

    public async Task<IReadOnlyList<JsonObject>> ListAsync(string? filter = null)
    {
        var objects = await storage.ListAsync(_prefix);
        var ids = objects
            .Select(o => o.Key[_prefix.Length..])
            .Where(name => name.EndsWith(".json", StringComparison.Ordinal) && !name.Contains('/'))
            .Select(name => name[..^5])
            .ToList();
        var documents = await Task.WhenAll(ids.Select(async id => (Id: id, Bytes: await storage.GetAsync(Key(id)))));
        return [.. documents
            .Where(d => d.Bytes is not null)
            .Select(d => (d.Id, Doc: RecordDocuments.Parse(d.Bytes, Key(d.Id))))
            .Where(d => RecordDocuments.FileMatches(d.Id, d.Doc, filter))
            .OrderBy(d => d.Id, StringComparer.Ordinal)
            .Select(d => d.Doc)];
    }

    public async Task CreateAsync(string id, object document)
    {
        RecordDocuments.CheckId(id);
        var obj = RecordDocuments.ToObject(id, document, json);
        if (await storage.GetAsync(Key(id)) is not null)
        {
            throw HandlerError.Conflict($"a record with id '{id}' already exists");
        }

        await storage.PutAsync(Key(id), RecordDocuments.ToBytes(obj), "application/json");
    }

    public async Task UpdateAsync(string id, object document)
    {
        RecordDocuments.CheckId(id);
        var obj = RecordDocuments.ToObject(id, document, json);
        if (await storage.GetAsync(Key(id)) is null)
        {
            throw HandlerError.NotFound($"no record with id '{id}'");
        }

        await storage.PutAsync(Key(id), RecordDocuments.ToBytes(obj), "application/json");
    }

    public Task<bool> DeleteAsync(string id)
    {
        RecordDocuments.CheckId(id);
        return storage.DeleteAsync(Key(id));
    }

    private string Key(string id) => $"{_prefix}{id}.json";
}
