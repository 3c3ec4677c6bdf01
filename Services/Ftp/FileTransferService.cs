using Edge.Sdk;

namespace Edge.Services.Ftp;

/// <summary>
/// What the <c>ftp</c>/<c>ftps</c> and <c>sftp</c> connectors share: the handle handlers get and the error
/// mapping. Subclasses receive paths already normalised by <see cref="RemotePath"/> (relative to the base path)
/// and run inside <see cref="ServiceInstance.RunAsync{T}"/>.
/// </summary>
internal abstract class FileTransferService(ServiceDefinition definition, ILogger logger)
    : ServiceInstance(definition, logger)
{
    /// <summary><c>ftp</c>, <c>ftps</c> or <c>sftp</c>.</summary>
    public abstract string Protocol { get; }

    public override T? CreateHandle<T>(Context context)
        where T : class =>
        typeof(T) == typeof(IFileTransfer) ? (T)(object)new FileTransferHandle(this, context.RequestAborted) : null;

    /// <summary>Writes <paramref name="data"/> to <paramref name="file"/>, creating missing folders.</summary>
    public abstract Task PutAsync(string file, byte[] data, CancellationToken cancel);

    /// <summary>The file's bytes, or null when there is no such file.</summary>
    public abstract Task<byte[]?> GetAsync(string file, CancellationToken cancel);

    /// <summary>The names of the regular files in <paramref name="folder"/> (empty when it does not exist), sorted.</summary>
    public abstract Task<IReadOnlyList<string>> ListAsync(string folder, CancellationToken cancel);

    /// <summary>Removes <paramref name="file"/>; false when there was no such file.</summary>
    public abstract Task<bool> DeleteAsync(string file, CancellationToken cancel);

    protected override bool IsUnavailable(Exception error) => error is FileTransferUnavailableException;

    protected override HandlerError Failed(Exception error) =>
        new(500, $"service '{Name}' ({Protocol}): {error.Message}", error);
}
