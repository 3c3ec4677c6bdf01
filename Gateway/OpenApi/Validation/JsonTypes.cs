namespace Edge.Gateway.OpenApi.Validation;

/// <summary>The JSON Schema "type" names a schema allows; None means any type.</summary>
[Flags]
internal enum JsonTypes
{
    None = 0,
    Null = 1,
    Boolean = 2,
    Object = 4,
    Array = 8,
    Number = 16,
    Integer = 32,
    String = 64,
}
