namespace Edge.Gateway.OpenApi.Validation;

/// <summary>How an OpenAPI parameter serialises its value (the "style" field).</summary>
internal enum ParameterStyle
{
    Simple,
    Form,
    Label,
    Matrix,
    SpaceDelimited,
    PipeDelimited,
    DeepObject,
}
