using Edge.Sdk;

namespace Edge.Services.Ftp;

/// <summary>
/// <see cref="IFileTransfer"/> for one request: paths are checked and normalised here, before anything is sent
/// (400 for a bad one), then the call runs under the service's bounds.
/// </summary>
internal sealed class FileTransferHandle(FileTransferService service, CancellationToken aborted) : IFileTransfer
{
    public string Protocol => service.Protocol;

    public Task PutAsync(string path, byte[] data)
    {
        var file = RemotePath.File(path);
        if (data is null)
        {
            throw HandlerError.BadRequest("data: the bytes to write are required (use an empty array for an empty file)");
        }

        return service.RunAsync(cancel => service.PutAsync(file, data, cancel), aborted);
    }

    public Task<byte[]?> GetAsync(string path)
    {
        var file = RemotePath.File(path);
        return service.RunAsync(cancel => service.GetAsync(file, cancel), aborted);
    }

    public Task<IReadOnlyList<string>> ListAsync(string dir = "")
    {
        var folder = RemotePath.Folder(dir);
        return service.RunAsync(cancel => service.ListAsync(folder, cancel), aborted);
    }

    public Task<bool> DeleteAsync(string path)
    {
        var file = RemotePath.File(path);
        return service.RunAsync(cancel => service.DeleteAsync(file, cancel), aborted);
    }
}
