using System.Text.Json;
using Edge.Sdk;

namespace Edge.Services.Records;

/// <summary>Records as files <c>{folder}/{id}.json</c> on an FTP, FTPS or SFTP server (inside the service's base path).</summary>
internal sealed class FileRecords(IFileTransfer files, string folder, JsonSerializerOptions json) : DocumentFileRecords(json)
{
    private readonly string _folder = folder.Trim('/');

    protected override Task<byte[]?> ReadAsync(string id) => files.GetAsync(Where(id));

    protected override Task WriteAsync(string id, byte[] document) => files.PutAsync(Where(id), document);

    protected override Task<bool> RemoveAsync(string id) => files.DeleteAsync(Where(id));

    protected override async Task<IEnumerable<string>> ListNamesAsync() => await files.ListAsync(_folder);

    protected override string Where(string id) => _folder.Length == 0 ? $"{id}.json" : $"{_folder}/{id}.json";
}
