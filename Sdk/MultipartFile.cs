namespace Edge.Sdk;

/// <summary>A file uploaded in a multipart/form-data body.</summary>
public sealed class MultipartFile
{
    internal MultipartFile(string name, string fileName, string contentType, byte[] data)
    {
        Name = name;
        FileName = fileName;
        ContentType = contentType;
        Data = data;
    }

    /// <summary>The form field name the file was sent under.</summary>
    public string Name { get; }

    /// <summary>The file name the client gave (may be empty; never trust it as a path).</summary>
    public string FileName { get; }

    /// <summary>The part's content type (application/octet-stream when the client gave none).</summary>
    public string ContentType { get; }

    /// <summary>The file's bytes.</summary>
    public byte[] Data { get; }
}
