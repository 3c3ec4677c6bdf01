using Edge.Services.Ftp;

namespace Edge.Tests.Services.Ftp;

/// <summary>The pure pieces of the file transfer connectors: listing parser, sftp quoting, host key fingerprints.</summary>
public sealed class ListingAndQuotingTests
{
    [Fact]
    public void FileNames_UnixListings_RegularFilesOnlySorted()
    {
        // Arrange: vsftpd's LIST (numeric owners) and sftp's ls -l (names, folder prefix, '?' links)
        string[] lines =
        [
            "drwxr-xr-x    2 1001     1001         4096 Nov 21 13:21 d 1",
            "-rw-r--r--    1 1001     1001            5 Nov 21 13:21 x#y?z%.txt\r",
            "-rw-r--r--    1 1001     1001            5 Jan 02  2024 zeta",
            "lrwxrwxrwx    1 1001     1001            5 Jan 02  2024 link -> zeta",
            "-rw-r--r--    1 1001     1001            5 Jan 02  2024 .hidden",
            "sftp> ls -l \"./sub/\"",
            "-rw-r--r--    ? edgesftp edgesftp        4 Nov 21 13:25 ./sub/f [1]?.txt",
            "-rw-r--r--    ? edgesftp edgesftp        4 Nov 21 13:25 ./sub/  two  spaces ",
            "-rw-r--r--+   1 owner    group        1234 Dec 31 23:59 Alpha",
            "crw-rw-rw-    1 0        0          1,   3 Jan 01 00:00 null",
            "total 12",
            "",
        ];

        // Act
        var names = DirectoryListing.FileNames(lines);

        // Assert
        names.ShouldBe(["  two  spaces ", "Alpha", "f [1]?.txt", "x#y?z%.txt", "zeta"]);
    }

    [Fact]
    public void FileNames_DosListing_FilesOnly()
    {
        string[] lines =
        [
            "07-08-24  11:04AM       <DIR>          subdir1",
            "04-29-22  10:54AM                12037 file1.png",
            "07-01-22  01:31PM             10981859 file two.xml",
        ];

        DirectoryListing.FileNames(lines).ShouldBe(["file two.xml", "file1.png"]);
    }

    [Theory]
    [InlineData("./a/b.txt", "\"./a/b.txt\"")]
    [InlineData("/srv/sp ace/x*y?[1].txt", "\"/srv/sp ace/x*y?[1].txt\"")]
    [InlineData("q\"uote", "\"q\\\"uote\"")]
    [InlineData("back\\slash", "\"back\\\\slash\"")]
    [InlineData("it's #1", "\"it's #1\"")]
    public void Argument_Path_QuotedForSftp(string path, string expected) =>
        SftpQuoting.Argument(path).ShouldBe(expected);

    [Theory]
    [InlineData("a\nrm *")]
    [InlineData("a\rb")]
    [InlineData("a\0b")]
    public void Argument_ControlCharacter_Refused(string path) =>
        Should.Throw<ArgumentException>(() => SftpQuoting.Argument(path));

    [Fact]
    public void OptionPath_SpacesAndPercent_QuotedAndDoubled()
    {
        SftpQuoting.OptionPath("/data/a b%c/kh").ShouldBe("\"/data/a b%%c/kh\"");
        SftpQuoting.OptionPath("/data/a\"b").ShouldBeNull();
    }

    [Fact]
    public void Parse_KeyscanOutput_FingerprintsLikeSshKeygen()
    {
        // Arrange: the test server's key as ssh-keyscan prints it, and ssh-keygen -lf's fingerprint of it
        var keyscan = "# 127.0.0.1:2222 SSH-2.0-OpenSSH_9.2p1\n" +
                      "[127.0.0.1]:2222 ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGf3jMEGQo0Msl6b9nWI+3jrv8uS1S0yBlXdNAZ50I9T\n" +
                      "garbage line\n";

        // Act
        var keys = SshHostKeys.Parse(keyscan);

        // Assert
        keys.Count.ShouldBe(1);
        keys[0].Type.ShouldBe("ssh-ed25519");
        keys[0].Fingerprint.ShouldBe("SHA256:vuS4AVXJ8RrvuHsln+abfwRTtmjVzQiNU2ZjE1/hRKw");
        keys[0].Line.ShouldStartWith("[127.0.0.1]:2222 ssh-ed25519 ");
    }

    [Theory]
    [InlineData("SHA256:vuS4AVXJ8RrvuHsln+abfwRTtmjVzQiNU2ZjE1/hRKw", "SHA256:vuS4AVXJ8RrvuHsln+abfwRTtmjVzQiNU2ZjE1/hRKw")]
    [InlineData(" sha256:vuS4AVXJ8RrvuHsln+abfwRTtmjVzQiNU2ZjE1/hRKw= ", "SHA256:vuS4AVXJ8RrvuHsln+abfwRTtmjVzQiNU2ZjE1/hRKw")]
    [InlineData("MD5:12:34", null)]
    [InlineData("SHA256:short", null)]
    [InlineData("vuS4AVXJ8RrvuHsln+abfwRTtmjVzQiNU2ZjE1/hRKw", null)]
    public void Normalise_Fingerprint(string value, string? expected) =>
        SshHostKeys.Normalise(value).ShouldBe(expected);
}
