namespace Edge.Sdk;

/// <summary>
/// Files on an <c>ftp</c> service (protocol <c>ftp</c>, <c>ftps</c> with explicit TLS, or <c>sftp</c>), from
/// <see cref="Context.Ftp"/>. Paths are relative to the service's <c>base_path</c> and confined to it: a path
/// with <c>..</c> segments, a drive, a backslash or a control character is refused with 400 before anything is
/// sent. Failures throw <see cref="HandlerError"/>: 503 when the server cannot be reached, is saturated or is not
/// active, 504 on a call timeout, 500 (<see cref="HandlerError.StorageError"/>) for an error the server reported.
/// </summary>
public interface IFileTransfer
{
    /// <summary>The protocol in use: <c>ftp</c>, <c>ftps</c> or <c>sftp</c>.</summary>
    string Protocol { get; }

    /// <summary>Writes <paramref name="data"/> to <paramref name="path"/>, replacing any file there.</summary>
    Task PutAsync(string path, byte[] data);

    /// <summary>The file's bytes, or null when there is no such file.</summary>
    Task<byte[]?> GetAsync(string path);

    /// <summary>The names of the files in folder <paramref name="dir"/> (the base folder when empty), sorted.</summary>
    Task<IReadOnlyList<string>> ListAsync(string dir = "");

    /// <summary>Removes the file; true when it existed.</summary>
    Task<bool> DeleteAsync(string path);
}
