using System.Buffers;
using Edge.Gateway.Handlers;
using Edge.Sdk;

namespace Edge.Gateway.Uploads;

/// <summary>
/// Files in one local folder: <c>ID</c> holds the bytes, <c>ID.json</c> the metadata. An upload is written to
/// <c>.ID.part</c>, flushed to disk and renamed, and only then does its metadata appear (the same way), so a reader
/// never sees a partial file and a failed upload leaves nothing visible. Downloads go out through
/// <see cref="FileResponder"/> (send-file, ranges, validators).
/// </summary>
internal sealed class FolderStreamStore(string root, EndpointLog log) : IStreamStore
{
    // PERF: large reads from the connection: fewer calls per GB; the buffer is rented per upload and given back.
    private const int CopyBufferBytes = 256 * 1024;

    // errno values (Unix) and Win32 codes for "the disk is full" / "over quota".
    private const int ENOSPC = 28;
    private const int EDQUOT = 122;
    private const int ErrorDiskFull = unchecked((int)0x80070070);
    private const int ErrorHandleDiskFull = unchecked((int)0x80070027);

    private readonly string[] _roots = [root];

    public string Root => root;

    /// <summary>Makes the folder and removes parts an interrupted earlier run left behind; throws when the folder is unusable.</summary>
    public void Prepare()
    {
        Directory.CreateDirectory(root);
        var probe = Path.Combine(root, ".write-probe-" + Environment.ProcessId);
        File.WriteAllText(probe, "");
        File.Delete(probe);
        foreach (var stale in Directory.EnumerateFiles(root, ".*.part"))
        {
            File.Delete(stale);
        }
    }

    public async Task SaveAsync(string id, string contentType, LimitedBodyStream body, Func<StoredFile> metadata, long? expectedLength, CancellationToken aborted)
    {
        var data = DataPath(id);
        var part = Path.Combine(root, "." + id + ".part");
        var buffer = ArrayPool<byte>.Shared.Rent(CopyBufferBytes);
        try
        {
            var options = new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                Share = FileShare.None,

                // PERF: no FileStream buffer: every write is already a large block.
                BufferSize = 0,

                // Reserving the announced size up front turns "disk full" into an answer before any byte is read.
                PreallocationSize = expectedLength ?? 0,
            };
            await using (var file = new FileStream(part, options))
            {
                int read;
                while ((read = await body.ReadAsync(buffer.AsMemory(0, CopyBufferBytes), aborted)) > 0)
                {
                    await file.WriteAsync(buffer.AsMemory(0, read), aborted);
                }

                // Preallocation may have made the file longer than what arrived.
                if (file.Length != body.BytesRead)
                {
                    file.SetLength(body.BytesRead);
                }

                file.Flush(flushToDisk: true);
            }

            File.Move(part, data);
            await WriteDurablyAsync(MetadataPath(id), metadata().ToJson(), aborted);
        }
        catch (Exception ex)
        {
            TryDelete(part);
            if (File.Exists(data) && !File.Exists(MetadataPath(id)))
            {
                TryDelete(data);
            }

            throw ex switch
            {
                HandlerError or OperationCanceledException or BadHttpRequestException => ex,
                IOException io when IsDiskFull(io) => new HandlerError(507, "insufficient storage: the stream storage folder is full", ex),
                IOException or UnauthorizedAccessException => new HandlerError(500, $"the upload could not be stored: {ex.Message}", ex),
                _ => ex,
            };
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async Task<StoredFile?> MetadataAsync(string id, CancellationToken aborted)
    {
        try
        {
            var json = await File.ReadAllBytesAsync(MetadataPath(id), aborted);
            return StoredFile.FromJson(json);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public Task SendAsync(HttpContext http, StoredFile file, string requestId)
    {
        var response = Response.File(DataPath(file.Id), file.ContentType)
            .WithHeader("Content-Disposition", StreamFileNames.ContentDisposition(file.FileName))
            .WithHeader("X-Content-Type-Options", "nosniff");
        return FileResponder.WriteAsync(http, response, _roots, log, requestId);
    }

    public Task<bool> DeleteAsync(string id, CancellationToken aborted)
    {
        // Metadata first: from then on the file is gone for readers, even if removing its bytes fails.
        var metadata = MetadataPath(id);
        if (!File.Exists(metadata))
        {
            return Task.FromResult(false);
        }

        File.Delete(metadata);
        File.Delete(DataPath(id));
        return Task.FromResult(true);
    }

    private string DataPath(string id) => Path.Combine(root, id);

    private string MetadataPath(string id) => Path.Combine(root, id + ".json");

    private static async Task WriteDurablyAsync(string path, byte[] bytes, CancellationToken aborted)
    {
        var temp = Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + ".part");
        await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            await file.WriteAsync(bytes, aborted);
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, path);
    }

    private static bool IsDiskFull(IOException ex) =>
        ex.HResult is ENOSPC or EDQUOT or ErrorDiskFull or ErrorHandleDiskFull ||
        ex.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase) ||
        ex.Message.Contains("disk was full", StringComparison.OrdinalIgnoreCase); // a failed preallocation says so

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover part is removed at the next start.
        }
        catch (UnauthorizedAccessException)
        {
            // As above.
        }
    }
}
