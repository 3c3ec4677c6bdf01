namespace Edge.Gateway.OpenApi.Validation;

/// <summary>One "patternProperties" entry: properties whose name matches the pattern are validated with the schema.</summary>
internal sealed record PatternProperty(SchemaPattern Pattern, SchemaNode Schema);
