namespace Edge.Gateway.OpenApi.Validation;

/// <summary>
/// A property an object schema names: in "properties" (<paramref name="Declared"/>), in "required", or both.
/// A readOnly property is response-only: a request need not send it, and one it sends is not checked.
/// </summary>
internal sealed record ObjectProperty(string Name, SchemaNode? Schema, bool Declared, bool Required, bool ReadOnly);
