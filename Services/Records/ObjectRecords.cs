using System.Text.Json;
using Edge.Sdk;

namespace Edge.Services.Records;

/// <summary>Records as objects <c>{prefix}/{id}.json</c> in an S3 bucket.</summary>
internal sealed class ObjectRecords(IObjectStorage storage, string prefix, JsonSerializerOptions json) : DocumentFileRecords(json)
{
    private readonly string _prefix = prefix.Trim('/') is { Length: > 0 } p ? p + "/" : "";

    protected override Task<byte[]?> ReadAsync(string id) => storage.GetAsync(Where(id));

    protected override Task WriteAsync(string id, byte[] document) => storage.PutAsync(Where(id), document, "application/json");

    protected override Task<bool> RemoveAsync(string id) => storage.DeleteAsync(Where(id));

    protected override async Task<IEnumerable<string>> ListNamesAsync() =>
        (await storage.ListAsync(_prefix)).Select(o => o.Key[_prefix.Length..]).Where(name => !name.Contains('/'));

    protected override string Where(string id) => $"{_prefix}{id}.json";
}
