namespace Edge.Sdk;

/// <summary>A parsed multipart/form-data body: its text fields and its files.</summary>
public sealed class MultipartData
{
    internal MultipartData(
        IReadOnlyDictionary<string, string> fields,
        IReadOnlyDictionary<string, MultipartFile> files,
        IReadOnlyList<MultipartFile> allFiles)
    {
        Fields = fields;
        Files = files;
        AllFiles = allFiles;
    }

    /// <summary>Text fields by name (the first value when a name repeats).</summary>
    public IReadOnlyDictionary<string, string> Fields { get; }

    /// <summary>Files by form field name (the first file when a name repeats).</summary>
    public IReadOnlyDictionary<string, MultipartFile> Files { get; }

    /// <summary>Every file in body order, including several sent under one field name.</summary>
    public IReadOnlyList<MultipartFile> AllFiles { get; }

    /// <summary>The text field <paramref name="name"/>, or null when absent.</summary>
    public string? Field(string name) => Fields.TryGetValue(name, out var value) ? value : null;

    /// <summary>The text field <paramref name="name"/>; a 400 <see cref="HandlerError"/> when absent.</summary>
    public string RequireField(string name)
        => Field(name) ?? throw HandlerError.BadRequest($"form field '{name}' is required");

    /// <summary>The file sent under <paramref name="name"/>, or null when absent.</summary>
    public MultipartFile? File(string name) => Files.TryGetValue(name, out var file) ? file : null;

    /// <summary>The file sent under <paramref name="name"/>; a 400 <see cref="HandlerError"/> when absent.</summary>
    public MultipartFile RequireFile(string name)
        => File(name) ?? throw HandlerError.BadRequest($"file field '{name}' is required");
}
