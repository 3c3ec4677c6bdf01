namespace Edge.Gateway.Uploads;

/// <summary>The two kinds of storage behind the <c>/stream</c> routes.</summary>
internal enum StreamStorageKind
{
    Folder,
    S3,
}
