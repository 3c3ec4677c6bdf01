namespace Edge.Gateway.OpenApi.Validation;

/// <summary>
/// One key of requestBody.content ("application/json", "application/*", "application/*+json", "*/*"),
/// lower-cased and without parameters, with the schema given for it.
/// </summary>
internal sealed class MediaTypeRange
{
    public MediaTypeRange(string text, SchemaNode? schema)
    {
        var semicolon = text.IndexOf(';', StringComparison.Ordinal);
        Text = (semicolon < 0 ? text : text[..semicolon]).Trim().ToLowerInvariant();
        var slash = Text.IndexOf('/', StringComparison.Ordinal);
        Type = slash < 0 ? Text : Text[..slash];
        Subtype = slash < 0 ? "*" : Text[(slash + 1)..];
        Schema = schema;
    }

    public string Text { get; }
    public string Type { get; }
    public string Subtype { get; }
    public SchemaNode? Schema { get; }

    /// <summary>How well a request's media type matches: 3 exactly, 2 a suffix wildcard (*+json), 1 type/*, 0 */*, -1 not at all.</summary>
    public int Score(ReadOnlySpan<char> type, ReadOnlySpan<char> subtype)
    {
        if (Type == "*")
        {
            return Subtype == "*" ? 0 : -1;
        }

        if (!type.Equals(Type, StringComparison.OrdinalIgnoreCase))
        {
            return -1;
        }

        if (Subtype == "*")
        {
            return 1;
        }

        if (Subtype.StartsWith('*'))
        {
            return subtype.EndsWith(Subtype.AsSpan(1), StringComparison.OrdinalIgnoreCase) ? 2 : -1;
        }

        return subtype.Equals(Subtype, StringComparison.OrdinalIgnoreCase) ? 3 : -1;
    }
}
