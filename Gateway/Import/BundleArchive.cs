using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Edge.Gateway.Import;

/// <summary>
/// An import bundle: a ZIP read whole into memory with the limits an upload from anyone needs, or written for an export.
/// Names are relative, '/'-separated and case-sensitive; a single top folder every file shares is dropped;
/// directory entries and macOS litter (<c>__MACOSX/</c>, <c>.DS_Store</c>) are skipped.
/// </summary>
internal sealed class BundleArchive
{
    /// <summary>Largest ZIP accepted, compressed.</summary>
    public const long MaxArchiveBytes = 64L * 1024 * 1024;

    /// <summary>Most entries (files and folders) in the ZIP.</summary>
    public const int MaxEntries = 5000;

    /// <summary>Largest file, uncompressed.</summary>
    public const long MaxEntryBytes = 16L * 1024 * 1024;

    /// <summary>Largest sum of all files, uncompressed.</summary>
    public const long MaxTotalBytes = 256L * 1024 * 1024;

    /// <summary>Highest uncompressed/compressed ratio for a file over <see cref="RatioFloorBytes"/>: text deflates about 5-20x, a bomb 1000x.</summary>
    public const int MaxCompressionRatio = 200;

    /// <summary>Files up to this size may have any ratio: a small file of one repeated byte is harmless.</summary>
    public const long RatioFloorBytes = 1024 * 1024;

    private const uint EndOfCentralDirectorySignature = 0x06054b50;
    private const int EndOfCentralDirectorySize = 22;

    /// <summary>A regular file, rw-r--r--, as Unix zip tools write it: the same bytes whichever OS exports.</summary>
    private const int RegularFileAttributes = unchecked((int)0x81A40000);

    private static readonly string[] SpecNames =
        ["openapi.yaml", "openapi.yml", "openapi.json", "api.yaml", "api.yml", "api.json", "spec.yaml", "spec.yml", "spec.json"];

    private static readonly string[] ManifestNames = ["bundle.yaml", "bundle.yml", "bundle.json"];

    /// <summary>Any fixed time will do: the same files must give the same ZIP bytes.</summary>
    private static readonly DateTimeOffset FixedTimestamp = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly uint[] CrcTable = BuildCrcTable();

    private BundleArchive(IReadOnlyDictionary<string, byte[]> files)
    {
        Files = files;
    }

    /// <summary>Every file by its normalised name (ordinal, case-sensitive), in the ZIP's order.</summary>
    public IReadOnlyDictionary<string, byte[]> Files { get; }

    /// <summary>
    /// Reads every file into memory. Sizes in the ZIP's headers are used only to refuse early; the limits are enforced on
    /// the bytes actually inflated, stopping as soon as one is passed, and every file's CRC-32 is checked.
    /// </summary>
    public static BundleArchive Read(Stream zip, long? declaredLength = null)
    {
        ArgumentNullException.ThrowIfNull(zip);
        if (declaredLength > MaxArchiveBytes)
        {
            throw TooLargeArchive();
        }

        var buffer = ReadLimited(zip);
        CheckDeclaredEntryCount(buffer);

        ZipArchive archive;
        try
        {
            archive = new ZipArchive(new MemoryStream(buffer.Array!, buffer.Offset, buffer.Count, writable: false), ZipArchiveMode.Read);
        }
        catch (InvalidDataException ex)
        {
            throw new BundleFormatException($"the upload is not a ZIP archive, or a damaged one: {ex.Message}", inner: ex);
        }

        using (archive)
        {
            var entries = ReadEntries(archive);
            if (entries.Count == 0)
            {
                return new BundleArchive(new Dictionary<string, byte[]>(StringComparer.Ordinal));
            }

            var prefix = CommonTopFolder(entries);
            var files = new Dictionary<string, byte[]>(entries.Count, StringComparer.Ordinal);
            long total = 0;
            foreach (var (name, entry) in entries)
            {
                files.Add(name[prefix.Length..], Inflate(entry, ref total));
            }

            return new BundleArchive(files);
        }
    }

    /// <summary>The spec file: the first present of openapi, api, spec (.yaml, .yml, .json) at the top; an exact match before any other case.</summary>
    public string? FindSpec() => FindFirst(SpecNames);

    /// <summary>The bundle manifest: bundle.yaml, bundle.yml or bundle.json at the top.</summary>
    public string? FindManifest() => FindFirst(ManifestNames);

    /// <summary>C# files at the top, in handlers/ or src/, or one folder below those two; sorted ordinally.</summary>
    public IReadOnlyList<string> HandlerFiles() =>
        [.. Files.Keys.Where(IsHandlerFile).Order(StringComparer.Ordinal)];

    /// <summary>
    /// A ZIP of the given files: sorted by name, fixed timestamps and attributes, so the same files give the same bytes.
    /// Names must already be in normalised form (relative, '/'-separated, no '.' or '..' segments) and distinct.
    /// </summary>
    public static byte[] Write(IEnumerable<KeyValuePair<string, byte[]>> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var sorted = files.ToList();
        sorted.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        for (var i = 0; i < sorted.Count; i++)
        {
            var name = sorted[i].Key;
            string? normalised;
            try
            {
                normalised = NormaliseName(name);
            }
            catch (BundleFormatException ex)
            {
                throw new ArgumentException(ex.Message, nameof(files), ex);
            }

            if (normalised != name)
            {
                throw new ArgumentException($"the file name {Display(name)} is not in normalised form", nameof(files));
            }

            if (i > 0 && sorted[i - 1].Key == name)
            {
                throw new ArgumentException($"the file name {Display(name)} appears twice", nameof(files));
            }
        }

        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in sorted)
            {
                var entry = archive.CreateEntry(name, CompressionLevel.Optimal);
                entry.LastWriteTime = FixedTimestamp;
                entry.ExternalAttributes = RegularFileAttributes;
                using var stream = entry.Open();
                stream.Write(bytes);
            }
        }

        return output.ToArray();
    }

    private static ArraySegment<byte> ReadLimited(Stream zip)
    {
        if (zip.CanSeek && zip.Length - zip.Position > MaxArchiveBytes)
        {
            throw TooLargeArchive();
        }

        var output = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            int read;
            while ((read = zip.Read(chunk, 0, chunk.Length)) > 0)
            {
                if (output.Length + read > MaxArchiveBytes)
                {
                    throw TooLargeArchive();
                }

                output.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        return new ArraySegment<byte>(output.GetBuffer(), 0, (int)output.Length);
    }

    /// <summary>
    /// Refuses a ZIP whose end record announces too many entries before ZipArchive allocates one object per entry.
    /// ZipArchive itself fails a ZIP whose central directory holds a different count, so the record cannot understate it.
    /// A Zip64 count (0xFFFF here) is left to the check on <see cref="ZipArchive.Entries"/>.
    /// </summary>
    private static void CheckDeclaredEntryCount(ReadOnlySpan<byte> zip)
    {
        var lowest = Math.Max(0, zip.Length - EndOfCentralDirectorySize - ushort.MaxValue);
        for (var i = zip.Length - EndOfCentralDirectorySize; i >= lowest; i--)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(zip[i..]) == EndOfCentralDirectorySignature)
            {
                var count = BinaryPrimitives.ReadUInt16LittleEndian(zip[(i + 10)..]);
                if (count != ushort.MaxValue && count > MaxEntries)
                {
                    throw TooManyEntries(count);
                }

                return;
            }
        }
    }

    private static List<(string Name, ZipArchiveEntry Entry)> ReadEntries(ZipArchive archive)
    {
        IReadOnlyCollection<ZipArchiveEntry> all;
        try
        {
            all = archive.Entries;
        }
        catch (InvalidDataException ex)
        {
            throw new BundleFormatException($"the ZIP archive is damaged: {ex.Message}", inner: ex);
        }

        if (all.Count > MaxEntries)
        {
            throw TooManyEntries(all.Count);
        }

        var entries = new List<(string Name, ZipArchiveEntry Entry)>(all.Count);
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        long declaredTotal = 0;
        foreach (var entry in all)
        {
            var name = NormaliseName(entry.FullName);
            if (name is null || IsLitter(name))
            {
                continue;
            }

            var shown = Display(entry.FullName);
            if (entry.IsEncrypted)
            {
                throw new BundleFormatException($"the entry {shown} is encrypted; bundles must not be", entry.FullName);
            }

            if (!seen.TryAdd(name, entry.FullName))
            {
                throw new BundleFormatException(
                    $"the entries {Display(seen[name])} and {shown} have the same name once normalised ({Display(name)})", entry.FullName);
            }

            // The headers can lie; these early refusals only save inflating what they already admit is too big.
            if (entry.Length > MaxEntryBytes)
            {
                throw TooLargeEntry(entry.FullName);
            }

            if (TooCompressed(entry.Length, entry.CompressedLength))
            {
                throw TooCompressedEntry(entry.FullName);
            }

            declaredTotal += entry.Length;
            if (declaredTotal > MaxTotalBytes)
            {
                throw TooLargeTotal(entry.FullName);
            }

            entries.Add((name, entry));
        }

        return entries;
    }

    private static byte[] Inflate(ZipArchiveEntry entry, ref long total)
    {
        // The header's size is only a capacity hint, capped by the limit.
        using var output = new MemoryStream((int)Math.Clamp(entry.Length, 0, MaxEntryBytes));
        var chunk = ArrayPool<byte>.Shared.Rent(81920);
        var crc = 0xFFFFFFFFu;
        try
        {
            using var input = entry.Open();
            long inflated = 0;
            int read;
            while ((read = input.Read(chunk, 0, chunk.Length)) > 0)
            {
                inflated += read;
                total += read;
                if (inflated > MaxEntryBytes)
                {
                    throw TooLargeEntry(entry.FullName);
                }

                if (TooCompressed(inflated, entry.CompressedLength))
                {
                    throw TooCompressedEntry(entry.FullName);
                }

                if (total > MaxTotalBytes)
                {
                    throw TooLargeTotal(entry.FullName);
                }

                crc = UpdateCrc(crc, chunk.AsSpan(0, read));
                output.Write(chunk, 0, read);
            }
        }
        catch (InvalidDataException ex)
        {
            throw new BundleFormatException($"the entry {Display(entry.FullName)} is damaged: {ex.Message}", entry.FullName, ex);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        // ZipArchive stops at the size the header declares and checks no CRC: a header that understates the size
        // would otherwise pass as a silently truncated file.
        if (~crc != entry.Crc32)
        {
            throw new BundleFormatException(
                $"the entry {Display(entry.FullName)} is damaged: its CRC-32 does not match its content (or its header lies about its size)",
                entry.FullName);
        }

        return output.ToArray();
    }

    /// <summary>
    /// The entry's name made relative and '/'-separated, or null for a directory. Refuses any name that could reach
    /// outside the bundle's root wherever it is unpacked: '..' segments, absolute paths, drive letters, control characters.
    /// </summary>
    private static string? NormaliseName(string raw)
    {
        if (raw.Length == 0)
        {
            throw new BundleFormatException("an entry has an empty name", raw);
        }

        if (raw.Any(char.IsControl))
        {
            throw new BundleFormatException($"the entry {Display(raw)} has a control character in its name", raw);
        }

        // Windows tools write '\' as the separator despite the ZIP format: read it as one, so "..\x" is caught as "../x".
        var name = raw.Replace('\\', '/');
        if (name.StartsWith('/'))
        {
            throw new BundleFormatException($"the entry {Display(raw)} has an absolute path", raw);
        }

        if (name.Contains(':'))
        {
            throw new BundleFormatException($"the entry {Display(raw)} has a ':' in its name (a drive letter or a stream)", raw);
        }

        var segments = new List<string>();
        foreach (var segment in name.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == "..")
            {
                throw new BundleFormatException($"the entry {Display(raw)} climbs out of the bundle with '..'", raw);
            }

            if (segment != ".")
            {
                segments.Add(segment);
            }
        }

        if (name.EndsWith('/'))
        {
            return null;
        }

        if (segments.Count == 0)
        {
            throw new BundleFormatException($"the entry {Display(raw)} has no file name", raw);
        }

        return string.Join('/', segments);
    }

    private static bool IsLitter(string name) =>
        name.StartsWith("__MACOSX/", StringComparison.Ordinal) || name == ".DS_Store" || name.EndsWith("/.DS_Store", StringComparison.Ordinal);

    /// <summary>"my-api/" when every file is inside my-api/, the usual shape of a zipped folder; otherwise "".</summary>
    private static string CommonTopFolder(List<(string Name, ZipArchiveEntry Entry)> entries)
    {
        var first = entries[0].Name;
        var slash = first.IndexOf('/');
        if (slash < 0)
        {
            return "";
        }

        var prefix = first[..(slash + 1)];
        return entries.All(e => e.Name.StartsWith(prefix, StringComparison.Ordinal)) ? prefix : "";
    }

    private string? FindFirst(string[] candidates)
    {
        foreach (var candidate in candidates)
        {
            if (Files.ContainsKey(candidate))
            {
                return candidate;
            }
        }

        foreach (var candidate in candidates)
        {
            foreach (var name in Files.Keys.Order(StringComparer.Ordinal))
            {
                if (string.Equals(name, candidate, StringComparison.OrdinalIgnoreCase))
                {
                    return name;
                }
            }
        }

        return null;
    }

    private static bool IsHandlerFile(string name)
    {
        if (!name.EndsWith(".cs", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var segments = name.Split('/');
        return segments.Length == 1 || (segments.Length <= 3 && segments[0] is "handlers" or "src");
    }

    private static bool TooCompressed(long uncompressed, long compressed) =>
        uncompressed > RatioFloorBytes && uncompressed > MaxCompressionRatio * Math.Max(compressed, 1);

    private static BundleFormatException TooLargeArchive() =>
        new($"the ZIP archive is over the limit of {MaxArchiveBytes / (1024 * 1024)} MiB");

    private static BundleFormatException TooManyEntries(int count) =>
        new(string.Create(CultureInfo.InvariantCulture, $"the ZIP archive has {count} entries, over the limit of {MaxEntries}"));

    private static BundleFormatException TooLargeEntry(string entry) =>
        new($"the entry {Display(entry)} is over the limit of {MaxEntryBytes / (1024 * 1024)} MiB uncompressed", entry);

    private static BundleFormatException TooCompressedEntry(string entry) =>
        new($"the entry {Display(entry)} inflates more than {MaxCompressionRatio} times its compressed size (a ZIP bomb?)", entry);

    private static BundleFormatException TooLargeTotal(string entry) =>
        new($"the files add up to over {MaxTotalBytes / (1024 * 1024)} MiB uncompressed (at the entry {Display(entry)})", entry);

    /// <summary>A name quoted for a one-line message, control characters escaped.</summary>
    private static string Display(string name)
    {
        var builder = new StringBuilder(name.Length + 2).Append('"');
        foreach (var c in name)
        {
            if (char.IsControl(c))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.Append('"').ToString();
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }

    /// <summary>CRC-32 as ZIP uses it (IEEE 802.3, reflected); start at 0xFFFFFFFF and complement the result.</summary>
    private static uint UpdateCrc(uint crc, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            crc = CrcTable[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return crc;
    }
}
