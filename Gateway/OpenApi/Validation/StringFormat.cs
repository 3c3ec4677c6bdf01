namespace Edge.Gateway.OpenApi.Validation;

/// <summary>The string "format" values that are checked; any other format is accepted as is.</summary>
internal enum StringFormat
{
    None,
    DateTime,
    Date,
    Time,
    Uuid,
    Email,
    Uri,
    UriReference,
    Ipv4,
    Ipv6,
    Hostname,
    Byte,
}
