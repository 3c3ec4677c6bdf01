using Edge.Sdk;
using Edge.Services.Ftp;

namespace Edge.Tests.Services.Ftp;

/// <summary>Path confinement for the file transfer connectors: normalisation, and 400 for paths that could escape.</summary>
public sealed class RemotePathTests
{
    [Theory]
    [InlineData("a.txt", "a.txt")]
    [InlineData("a/b/c.txt", "a/b/c.txt")]
    [InlineData("/a/b.txt", "a/b.txt")]
    [InlineData("//a//b.txt", "a/b.txt")]
    [InlineData("./a/./b.txt", "a/b.txt")]
    [InlineData("a b/c d.txt", "a b/c d.txt")]
    [InlineData("..a/b..", "..a/b..")]
    [InlineData("x:y/z", "x:y/z")]
    [InlineData("q\"uote's #1 [x]?*.txt", "q\"uote's #1 [x]?*.txt")]
    [InlineData("ünï €/😀.txt", "ünï €/😀.txt")]
    public void File_Usable_Normalised(string path, string expected) =>
        RemotePath.File(path).ShouldBe(expected);

    [Theory]
    [InlineData("..", "'..'")]
    [InlineData("../x.txt", "'..'")]
    [InlineData("a/../../x.txt", "'..'")]
    [InlineData("a/..", "'..'")]
    [InlineData("/../x.txt", "'..'")]
    [InlineData("a\\b.txt", "backslash")]
    [InlineData("..\\x.txt", "backslash")]
    [InlineData("a\0b.txt", "control character")]
    [InlineData("a\nb.txt", "control character")]
    [InlineData("a\rDELE x", "control character")]
    [InlineData("a\u007fb", "control character")]
    [InlineData("~/x.txt", "'~'")]
    [InlineData("~root/x.txt", "'~'")]
    [InlineData("a/b~", "'~'")]
    [InlineData("C:/x.txt", "drive")]
    [InlineData("c:", "drive")]
    [InlineData("dir/", "empty file name")]
    [InlineData("/", "empty file name")]
    [InlineData("./.", "empty file name")]
    public void File_Escaping_Refused400(string path, string problem)
    {
        // Act
        var error = Should.Throw<HandlerError>(() => RemotePath.File(path));

        // Assert
        error.StatusCode.ShouldBe(400);
        error.Message.ShouldContain(problem);
        error.Message.ShouldNotContain("\0");
        error.Message.ShouldNotContain("\n");
    }

    [Fact]
    public void File_LoneSurrogate_Refused400()
    {
        // Built here: a theory's data would be re-encoded and lose the lone surrogate.
        var path = "a" + (char)0xD800 + "b";
        Should.Throw<HandlerError>(() => RemotePath.File(path)).Message.ShouldContain("Unicode");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void File_Missing_Refused400(string? path) =>
        Should.Throw<HandlerError>(() => RemotePath.File(path)).StatusCode.ShouldBe(400);

    [Fact]
    public void File_TooLong_Refused400()
    {
        Should.Throw<HandlerError>(() => RemotePath.File(new string('a', 256))).Message.ShouldContain("255 bytes");
        Should.Throw<HandlerError>(() => RemotePath.File(string.Join('/', Enumerable.Repeat("abcdefghi", 110)))).Message.ShouldContain("1024");
        RemotePath.File(new string('a', 255)).Length.ShouldBe(255);
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("/", "")]
    [InlineData(".", "")]
    [InlineData("a/b/", "a/b")]
    [InlineData("/a//b/.", "a/b")]
    public void Folder_Usable_Normalised(string? path, string expected) =>
        RemotePath.Folder(path).ShouldBe(expected);

    [Theory]
    [InlineData("..")]
    [InlineData("a/../..")]
    [InlineData("a\\b")]
    [InlineData("a\0")]
    [InlineData("~")]
    public void Folder_Escaping_Refused400(string path) =>
        Should.Throw<HandlerError>(() => RemotePath.Folder(path)).StatusCode.ShouldBe(400);

    [Fact]
    public void Ancestors_NestedFile_TopDown()
    {
        RemotePath.Ancestors("a/b/c.txt").ShouldBe(["a", "a/b"]);
        RemotePath.Ancestors("c.txt").ShouldBeEmpty();
    }

    [Theory]
    [InlineData("/", true, "")]
    [InlineData("/srv//files/", true, "srv/files")]
    [InlineData("files/./in", false, "files/in")]
    [InlineData(".", false, "")]
    public void Base_Config_Normalised(string value, bool absolute, string joined)
    {
        var (isAbsolute, segments) = RemotePath.Base(value);
        isAbsolute.ShouldBe(absolute);
        string.Join('/', segments).ShouldBe(joined);
    }

    [Theory]
    [InlineData("/srv/../etc")]
    [InlineData("~/files")]
    [InlineData("a\\b")]
    public void Base_Escaping_ConfigError(string value) =>
        Should.Throw<InvalidOperationException>(() => RemotePath.Base(value)).Message.ShouldStartWith("config.base_path:");
}
