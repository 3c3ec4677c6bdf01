namespace Edge.Tests.Common;

/// <summary>Unique names so that tests sharing one gateway never collide.</summary>
public static class Unique
{
    public static string Id() => Guid.NewGuid().ToString("N")[..10];

    /// <summary>A path like <c>/t-1a2b3c4d5e/hello</c>.</summary>
    public static string Path(string rest = "") => $"/t-{Id()}{(rest.Length == 0 || rest.StartsWith('/') ? rest : "/" + rest)}";

    /// <summary>A host like <c>h-1a2b3c4d5e.test</c>.</summary>
    public static string Host() => $"h-{Id()}.test";

    public static string Name(string prefix = "n") => $"{prefix}-{Id()}";
}
