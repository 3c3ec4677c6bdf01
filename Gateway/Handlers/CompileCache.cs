namespace Edge.Gateway.Handlers;

/// <summary>
/// Emitted handler images on disk, keyed by a hash of (source, SDK version, compiler version), so that a restart
/// loads instead of recompiling. Files are written to a temporary name and renamed: a crash never leaves half an image.
/// </summary>
internal sealed class CompileCache(string directory)
{
    public string Directory { get; } = directory;

    public bool TryLoad(string hash, out byte[] image, out byte[]? symbols)
    {
        var dll = PathOf(hash, ".dll");
        symbols = null;
        try
        {
            image = File.ReadAllBytes(dll);
        }
        catch (IOException)
        {
            image = [];
            return false;
        }

        var pdb = PathOf(hash, ".pdb");
        if (File.Exists(pdb))
        {
            try
            {
                symbols = File.ReadAllBytes(pdb);
            }
            catch (IOException)
            {
                symbols = null;
            }
        }

        return true;
    }

    public void Store(string hash, byte[] image, byte[]? symbols)
    {
        System.IO.Directory.CreateDirectory(Directory);
        if (symbols is not null)
        {
            WriteAtomically(PathOf(hash, ".pdb"), symbols);
        }

        // The image last: its presence means the entry is complete.
        WriteAtomically(PathOf(hash, ".dll"), image);
    }

    /// <summary>Forgets an entry (a damaged image): the next compile of that source writes it again.</summary>
    public void Remove(string hash)
    {
        foreach (var extension in (string[])[".dll", ".pdb"])
        {
            try
            {
                File.Delete(PathOf(hash, extension));
            }
            catch (IOException)
            {
                // Left behind: still a miss next time, because the image is checked on load.
            }
        }
    }

    private string PathOf(string hash, string extension) => Path.Combine(Directory, hash + extension);

    private static void WriteAtomically(string path, byte[] bytes)
    {
        var temp = path + "." + Environment.ProcessId + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
        {
            stream.Write(bytes);
        }

        File.Move(temp, path, overwrite: true);
    }
}
