using System.Text.Json;

namespace Edge.Gateway.OpenApi.Validation;

/// <summary>
/// One step of the pointer to the value being validated: a property name known from the schema, a property
/// of the document (its name is read only if a problem needs it) or an array index.
/// </summary>
internal readonly struct PathSegment
{
    private readonly string? _name;
    private readonly JsonProperty _property;
    private readonly int _index;
    private readonly bool _isProperty;

    public PathSegment(string name)
    {
        _name = name;
        _index = -1;
    }

    public PathSegment(JsonProperty property)
    {
        _property = property;
        _isProperty = true;
        _index = -1;
    }

    public PathSegment(int index) => _index = index;

    /// <summary>The segment as a pointer token, unescaped.</summary>
    public string Token => _name ?? (_isProperty ? _property.Name : _index.ToString(System.Globalization.CultureInfo.InvariantCulture));
}
