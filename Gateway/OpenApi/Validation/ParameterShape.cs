namespace Edge.Gateway.OpenApi.Validation;

/// <summary>What a parameter's value is once read from the request.</summary>
internal enum ParameterShape
{
    /// <summary>One string converted to the schema's type (integer, number, boolean or string).</summary>
    Scalar,

    /// <summary>Several strings (repeated keys or a delimited list), each converted to the items' type.</summary>
    Array,

    /// <summary>An object (deepObject, exploded form): accepted unchecked, only its presence counts.</summary>
    Object,

    /// <summary>A parameter described by "content" with a JSON media type: the value is a JSON document.</summary>
    Json,
}
