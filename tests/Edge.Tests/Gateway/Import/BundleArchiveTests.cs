using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Edge.Gateway.Import;

namespace Edge.Tests.Gateway.Import;

public sealed class BundleArchiveTests
{
    private const int OneMiB = 1024 * 1024;

    /// <summary>A ZIP with exactly these entry names, written by ZipArchive, which stores whatever name it is given.</summary>
    private static byte[] Zip(params (string Name, string Content)[] entries) =>
        Zip(entries.Select(e => (e.Name, Encoding.UTF8.GetBytes(e.Content))).ToArray());

    private static byte[] Zip((string Name, byte[] Content)[] entries, CompressionLevel level = CompressionLevel.Optimal)
    {
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = archive.CreateEntry(name, level).Open();
                stream.Write(content);
            }
        }

        return output.ToArray();
    }

    /// <summary>One entry of <paramref name="bytes"/> zeros, streamed a MiB at a time: the ZIP is small, the content never exists.</summary>
    private static byte[] ZerosZip(string name, long bytes)
    {
        using var output = new MemoryStream();
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var stream = archive.CreateEntry(name, CompressionLevel.SmallestSize).Open();
            var zeros = new byte[OneMiB];
            for (long written = 0; written < bytes; written += zeros.Length)
            {
                stream.Write(zeros, 0, (int)Math.Min(zeros.Length, bytes - written));
            }
        }

        return output.ToArray();
    }

    private static BundleArchive Read(byte[] zip) => BundleArchive.Read(new MemoryStream(zip));

    private static BundleFormatException Rejects(byte[] zip) => Should.Throw<BundleFormatException>(() => Read(zip));

    private static int CentralDirectoryOffset(byte[] zip)
    {
        var at = zip.Length - 22;
        while (BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(at)) != 0x06054b50)
        {
            at--;
        }

        return (int)BinaryPrimitives.ReadUInt32LittleEndian(zip.AsSpan(at + 16));
    }

    [Theory]
    [InlineData("../x.cs", "climbs out of the bundle")]
    [InlineData("/etc/passwd", "absolute path")]
    [InlineData("a/../../x", "climbs out of the bundle")]
    [InlineData("a/../b.cs", "climbs out of the bundle")]
    [InlineData("..\\x.cs", "climbs out of the bundle")]
    [InlineData("\\\\server\\share\\x.cs", "absolute path")]
    [InlineData("C:/x.cs", "drive letter")]
    [InlineData("C:x.cs", "drive letter")]
    [InlineData("a\0b.cs", "control character")]
    [InlineData(".", "no file name")]
    public void Read_EntryNameEscapingTheRoot_Rejected(string name, string reason)
    {
        // Arrange
        var zip = Zip(("openapi.yaml", "openapi: 3.1.0"), (name, "x"));

        // Act
        var ex = Rejects(zip);

        // Assert
        ex.Message.ShouldContain(reason);
        ex.Entry.ShouldBe(name);
        ex.Message.ShouldNotContain("\0");
    }

    [Fact]
    public void Read_TooManyEntries_RejectedBeforeReadingThem()
    {
        // Arrange
        var entries = Enumerable.Range(0, BundleArchive.MaxEntries + 1).Select(i => ($"f{i}.txt", Array.Empty<byte>())).ToArray();
        var zip = Zip(entries);

        // Act
        var ex = Rejects(zip);

        // Assert
        ex.Message.ShouldBe($"the ZIP archive has {BundleArchive.MaxEntries + 1} entries, over the limit of {BundleArchive.MaxEntries}");
    }

    [Fact]
    public void Read_MaxEntries_Accepted()
    {
        // Arrange
        var entries = Enumerable.Range(0, BundleArchive.MaxEntries).Select(i => ($"f{i}.txt", new[] { (byte)'x' })).ToArray();

        // Act
        var bundle = Read(Zip(entries));

        // Assert
        bundle.Files.Count.ShouldBe(BundleArchive.MaxEntries);
    }

    [Fact]
    public void Read_CompressionBombOf300MiB_RejectedWithoutInflating()
    {
        // Arrange: 300 MiB of zeros deflate to about 300 KB
        var zip = ZerosZip("handlers/bomb.cs", 300L * OneMiB);
        zip.Length.ShouldBeLessThan(OneMiB);
        var before = GC.GetAllocatedBytesForCurrentThread();

        // Act
        var ex = Rejects(zip);

        // Assert
        ex.Message.ShouldBe("the entry \"handlers/bomb.cs\" is over the limit of 16 MiB uncompressed");
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(16L * OneMiB);
    }

    [Fact]
    public void Read_EntryUnderTheSizeLimitButTooCompressed_Rejected()
    {
        // Arrange: 8 MiB of zeros is under 16 MiB, but inflates about 1000 times
        var zip = ZerosZip("openapi.yaml", 8L * OneMiB);

        // Act
        var ex = Rejects(zip);

        // Assert
        ex.Message.ShouldBe($"the entry \"openapi.yaml\" inflates more than {BundleArchive.MaxCompressionRatio} times its compressed size (a ZIP bomb?)");
        ex.Entry.ShouldBe("openapi.yaml");
    }

    [Fact]
    public void Read_SmallHighlyCompressedEntry_Accepted()
    {
        // Arrange: the ratio rule only applies over 1 MiB
        var zip = ZerosZip("zeros.bin", OneMiB);

        // Act
        var bundle = Read(zip);

        // Assert
        bundle.Files["zeros.bin"].Length.ShouldBe(OneMiB);
    }

    [Fact]
    public void Read_HeaderUnderstatesTheSize_RejectedAfterInflatingOnlyWhatItAdmits()
    {
        // Arrange: 300 MiB of zeros whose local and central headers both claim 1,000 bytes
        var zip = ZerosZip("spec.yaml", 300L * OneMiB);
        BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(22), 1000);
        BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(CentralDirectoryOffset(zip) + 24), 1000);
        var before = GC.GetAllocatedBytesForCurrentThread();

        // Act
        var ex = Rejects(zip);

        // Assert
        ex.Message.ShouldStartWith("the entry \"spec.yaml\" is damaged: its CRC-32 does not match");
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(16L * OneMiB);
    }

    [Fact]
    public void Read_CorruptedStoredContent_RejectedByCrc()
    {
        // Arrange
        var zip = Zip([("openapi.yaml", Encoding.UTF8.GetBytes("openapi: 3.1.0\n"))], CompressionLevel.NoCompression);
        var at = zip.AsSpan().IndexOf("openapi: "u8);
        zip[at] = (byte)'O';

        // Act
        var ex = Rejects(zip);

        // Assert
        ex.Message.ShouldContain("CRC-32 does not match");
    }

    [Fact]
    public void Read_FilesAddingUpOverTheTotalLimit_Rejected()
    {
        // Arrange: 18 files of 15 MiB, each under the entry limit and compressing only ~60x (24 random bytes per 4 KiB)
        var content = new byte[15 * OneMiB];
        var random = new Random(7);
        for (var i = 0; i < content.Length; i += 4096)
        {
            random.NextBytes(content.AsSpan(i, 24));
        }

        var zip = Zip(Enumerable.Range(0, 18).Select(i => ($"data/part{i:00}.bin", content)).ToArray(), CompressionLevel.Fastest);
        zip.Length.ShouldBeLessThan((int)BundleArchive.MaxArchiveBytes);

        // Act
        var ex = Rejects(zip);

        // Assert
        ex.Message.ShouldBe("the files add up to over 256 MiB uncompressed (at the entry \"data/part17.bin\")");
    }

    [Fact]
    public void Read_EncryptedEntry_Rejected()
    {
        // Arrange: set the "encrypted" flag (bit 0 of the general purpose flags) in both headers
        var zip = Zip(("secret.cs", "class X {}"));
        zip[6] |= 1;
        zip[CentralDirectoryOffset(zip) + 8] |= 1;

        // Act
        var ex = Rejects(zip);

        // Assert
        ex.Message.ShouldBe("the entry \"secret.cs\" is encrypted; bundles must not be");
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { (byte)'o', (byte)'p', (byte)'e', (byte)'n', (byte)'a', (byte)'p', (byte)'i', (byte)':' })]
    [InlineData(new byte[] { 0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0 })]
    public void Read_NotAZip_Rejected(byte[] bytes)
    {
        // Act
        var ex = Rejects(bytes);

        // Assert
        ex.Message.ShouldStartWith("the upload is not a ZIP archive, or a damaged one");
    }

    [Fact]
    public void Read_TruncatedZip_Rejected()
    {
        // Arrange
        var zip = Zip(("openapi.yaml", "openapi: 3.1.0"));

        // Act
        var ex = Rejects(zip[..(zip.Length / 2)]);

        // Assert
        ex.Message.ShouldStartWith("the upload is not a ZIP archive, or a damaged one");
    }

    [Fact]
    public void Read_DeclaredLengthOverTheLimit_RejectedWithoutReading()
    {
        // Arrange
        var unreadable = new UnreadableStream();

        // Act
        var ex = Should.Throw<BundleFormatException>(() => BundleArchive.Read(unreadable, BundleArchive.MaxArchiveBytes + 1));

        // Assert
        ex.Message.ShouldBe("the ZIP archive is over the limit of 64 MiB");
    }

    [Fact]
    public void Read_StreamLongerThanTheLimit_Rejected()
    {
        // Arrange: not seekable, so the length shows only while reading
        var stream = new BufferedStream(new MemoryStream(new byte[BundleArchive.MaxArchiveBytes + 1]), 4096);
        var unseekable = new UnseekableStream(stream);

        // Act
        var ex = Should.Throw<BundleFormatException>(() => BundleArchive.Read(unseekable));

        // Assert
        ex.Message.ShouldBe("the ZIP archive is over the limit of 64 MiB");
    }

    [Theory]
    [InlineData("a/b.cs", "a\\b.cs")]
    [InlineData("openapi.yaml", "./openapi.yaml")]
    [InlineData("a/b.cs", "a//b.cs")]
    public void Read_NamesEqualOnceNormalised_Rejected(string first, string second)
    {
        // Arrange
        var zip = Zip((first, "1"), (second, "2"));

        // Act
        var ex = Rejects(zip);

        // Assert
        ex.Message.ShouldContain("have the same name once normalised");
        ex.Entry.ShouldBe(second);
    }

    [Fact]
    public void Read_DirectoryEntriesAndMacLitter_Skipped()
    {
        // Arrange
        var zip = Zip(("handlers/", ""), ("openapi.yaml", "openapi: 3.1.0"), ("handlers/getPet.cs", "x"),
            ("__MACOSX/._openapi.yaml", "junk"), (".DS_Store", "junk"), ("handlers/.DS_Store", "junk"));

        // Act
        var bundle = Read(zip);

        // Assert
        bundle.Files.Keys.ShouldBe(["openapi.yaml", "handlers/getPet.cs"], ignoreOrder: true);
    }

    [Fact]
    public void Read_BackslashesAndDotSegments_Normalised()
    {
        // Arrange
        var zip = Zip(("handlers\\getPet.cs", "a"), ("./openapi.yaml", "b"), ("src/./x.cs", "c"));

        // Act
        var bundle = Read(zip);

        // Assert
        bundle.Files.Keys.ShouldBe(["handlers/getPet.cs", "openapi.yaml", "src/x.cs"], ignoreOrder: true);
        Encoding.UTF8.GetString(bundle.Files["handlers/getPet.cs"]).ShouldBe("a");
    }

    [Fact]
    public void Read_EveryFileUnderOneTopFolder_FolderStripped()
    {
        // Arrange: what zipping a folder gives, macOS litter included
        var zip = Zip(("my-api/", ""), ("my-api/openapi.yaml", "openapi: 3.1.0"), ("my-api/handlers/listPets.cs", "x"),
            ("__MACOSX/my-api/._openapi.yaml", "junk"));

        // Act
        var bundle = Read(zip);

        // Assert
        bundle.Files.Keys.ShouldBe(["openapi.yaml", "handlers/listPets.cs"], ignoreOrder: true);
        bundle.FindSpec().ShouldBe("openapi.yaml");
    }

    [Fact]
    public void Read_FilesUnderDifferentTopFolders_NotStripped()
    {
        // Arrange
        var zip = Zip(("handlers/a.cs", "x"), ("src/b.cs", "y"));

        // Act
        var bundle = Read(zip);

        // Assert
        bundle.Files.Keys.ShouldBe(["handlers/a.cs", "src/b.cs"], ignoreOrder: true);
    }

    [Fact]
    public void Read_FileAtTheTopBesideAFolder_NotStripped()
    {
        // Arrange
        var zip = Zip(("api/openapi.yaml", "x"), ("README.md", "y"));

        // Act
        var bundle = Read(zip);

        // Assert
        bundle.Files.Keys.ShouldBe(["api/openapi.yaml", "README.md"], ignoreOrder: true);
        bundle.FindSpec().ShouldBeNull();
    }

    [Fact]
    public void Read_EmptyZip_HasNoFiles()
    {
        // Act
        var bundle = Read(Zip());

        // Assert
        bundle.Files.ShouldBeEmpty();
        bundle.FindSpec().ShouldBeNull();
        bundle.FindManifest().ShouldBeNull();
        bundle.HandlerFiles().ShouldBeEmpty();
    }

    [Theory]
    [InlineData(new[] { "spec.json", "api.yml", "openapi.json" }, "openapi.json")]
    [InlineData(new[] { "spec.json", "api.yml" }, "api.yml")]
    [InlineData(new[] { "spec.yml", "spec.json" }, "spec.yml")]
    [InlineData(new[] { "OpenAPI.yaml" }, "OpenAPI.yaml")]
    [InlineData(new[] { "OpenAPI.yaml", "openapi.yaml" }, "openapi.yaml")]
    [InlineData(new[] { "docs/openapi.yaml", "readme.md" }, null)]
    [InlineData(new[] { "swagger.yaml" }, null)]
    public void FindSpec_CandidatesPresent_FirstInPriorityOrder(string[] names, string? expected)
    {
        // Arrange
        var bundle = Read(Zip(names.Select(n => (n, "x")).ToArray()));

        // Act
        var spec = bundle.FindSpec();

        // Assert
        spec.ShouldBe(expected);
    }

    [Theory]
    [InlineData(new[] { "bundle.json", "bundle.yml", "openapi.yaml" }, "bundle.yml")]
    [InlineData(new[] { "bundle.yaml", "bundle.json" }, "bundle.yaml")]
    [InlineData(new[] { "bundle.json", "x.cs" }, "bundle.json")]
    [InlineData(new[] { "config/bundle.yaml", "x.cs" }, null)]
    public void FindManifest_CandidatesPresent_FirstInPriorityOrder(string[] names, string? expected)
    {
        // Arrange
        var bundle = Read(Zip(names.Select(n => (n, "x")).ToArray()));

        // Act
        var manifest = bundle.FindManifest();

        // Assert
        manifest.ShouldBe(expected);
    }

    [Fact]
    public void HandlerFiles_MixedBundle_CsFilesAtTopAndUnderHandlersOrSrcSorted()
    {
        // Arrange
        var bundle = Read(Zip(
            ("openapi.yaml", "x"), ("listPets.cs", "x"), ("handlers/getPet.cs", "x"), ("handlers/pets/deletePet.cs", "x"),
            ("src/Shared.cs", "x"), ("src/a/b/tooDeep.cs", "x"), ("tests/PetTests.cs", "x"), ("handlers/notes.txt", "x"),
            ("handlers/Upper.CS", "x")));

        // Act
        var handlers = bundle.HandlerFiles();

        // Assert
        handlers.ShouldBe(["handlers/Upper.CS", "handlers/getPet.cs", "handlers/pets/deletePet.cs", "listPets.cs", "src/Shared.cs"]);
    }

    [Fact]
    public void Write_ThenRead_GivesTheSameFilesByteForByte()
    {
        // Arrange
        var random = new Random(3);
        var binary = new byte[100_000];
        random.NextBytes(binary);
        var files = new Dictionary<string, byte[]>
        {
            ["openapi.yaml"] = Encoding.UTF8.GetBytes("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"),
            ["handlers/getPet.cs"] = Encoding.UTF8.GetBytes("Response Handle(Context ctx, Request req) => Response.Ok(\"é\");"),
            ["data/random.bin"] = binary,
            ["empty.txt"] = [],
            ["unicode/ü.json"] = "{}"u8.ToArray(),
        };

        // Act
        var bundle = Read(BundleArchive.Write(files));

        // Assert
        bundle.Files.Count.ShouldBe(files.Count);
        foreach (var (name, bytes) in files)
        {
            bundle.Files[name].ShouldBe(bytes, name);
        }
    }

    [Fact]
    public void Write_SameFilesInAnyOrder_GivesTheSameBytes()
    {
        // Arrange
        var files = new[]
        {
            KeyValuePair.Create("openapi.yaml", "openapi: 3.1.0"u8.ToArray()),
            KeyValuePair.Create("handlers/b.cs", "b"u8.ToArray()),
            KeyValuePair.Create("handlers/a.cs", "a"u8.ToArray()),
        };

        // Act
        var first = BundleArchive.Write(files);
        Thread.Sleep(2100); // past the 2-second resolution of ZIP timestamps
        var second = BundleArchive.Write(files.Reverse());

        // Assert
        second.ShouldBe(first);
        using var archive = new ZipArchive(new MemoryStream(first), ZipArchiveMode.Read);
        archive.Entries.Select(e => e.FullName).ShouldBe(["handlers/a.cs", "handlers/b.cs", "openapi.yaml"]);
    }

    [Theory]
    [InlineData("../x.cs")]
    [InlineData("./x.cs")]
    [InlineData("a\\b.cs")]
    [InlineData("dir/")]
    public void Write_NameNotNormalised_Throws(string name)
    {
        // Act
        var ex = Should.Throw<ArgumentException>(() => BundleArchive.Write([KeyValuePair.Create(name, "x"u8.ToArray())]));

        // Assert
        ex.ParamName.ShouldBe("files");
    }

    /// <summary>Fails the test if anything reads it.</summary>
    private sealed class UnreadableStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new InvalidOperationException("the stream was read");

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>An upload body: readable once, length unknown.</summary>
    private sealed class UnseekableStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
