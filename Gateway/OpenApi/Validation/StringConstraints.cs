namespace Edge.Gateway.OpenApi.Validation;

/// <summary>minLength, maxLength (in Unicode code points, as JSON Schema counts), pattern and format of one schema.</summary>
internal sealed class StringConstraints
{
    public int MinLength { get; init; }
    public int? MaxLength { get; init; }
    public SchemaPattern? Pattern { get; init; }
    public StringFormat Format { get; init; }

    /// <summary>The format as the contract spells it, for messages.</summary>
    public string FormatName { get; init; } = "";

    public void Validate(ReadOnlySpan<char> text, ValidationContext context)
    {
        if (MinLength > 0 || MaxLength is not null)
        {
            var length = CodePoints(text);
            if (length < MinLength && context.Fail())
            {
                context.Describe($"must be at least {Plural(MinLength, "character")} long, got {length}");
            }

            if (MaxLength is { } maxLength && length > maxLength && context.Fail())
            {
                context.Describe($"must be at most {Plural(maxLength, "character")} long, got {length}");
            }
        }

        if (Pattern is not null)
        {
            if (!Pattern.TryMatch(text, out var matched))
            {
                if (context.Fail())
                {
                    context.Describe($"took too long to match against the pattern {Pattern.Text}");
                }
            }
            else if (!matched && context.Fail())
            {
                context.Describe($"must match the pattern {Pattern.Text}");
            }
        }

        if (Format != StringFormat.None && !StringFormats.IsValid(Format, text) && context.Fail())
        {
            context.Describe($"not a valid {FormatName}");
        }
    }

    public static string Plural(int count, string noun, string? plural = null) => count == 1 ? $"1 {noun}" : $"{count} {plural ?? noun + "s"}";

    /// <summary>UTF-16 length less one per surrogate pair; the vectorised search keeps the common case a length read.</summary>
    private static int CodePoints(ReadOnlySpan<char> text)
    {
        var first = text.IndexOfAnyInRange('\uD800', '\uDFFF');
        if (first < 0)
        {
            return text.Length;
        }

        var length = text.Length;
        for (var i = first; i < text.Length - 1; i++)
        {
            if (char.IsHighSurrogate(text[i]) && char.IsLowSurrogate(text[i + 1]))
            {
                length--;
                i++;
            }
        }

        return length;
    }
}
