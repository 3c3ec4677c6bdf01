namespace Edge.Gateway.Routing;

/// <summary>
/// A parsed path pattern such as <c>/users/{id}/posts/{post_id}</c>: whole-segment parameters only, one trailing
/// slash ignored. <see cref="Key"/> names the route's shape, so <c>/users/{id}</c> and <c>/users/{uid}</c> conflict.
/// </summary>
internal sealed record RoutePattern
{
    public const int MaxLength = 2048;
    public const int MaxParameters = 32;

    private RoutePattern(string text, RouteSegment[] segments)
    {
        Text = text;
        Segments = segments;
        Key = segments.Length == 0 ? "/" : string.Concat(segments.Select(s => "/" + (s.IsParameter ? "{}" : s.Value)));
        ParameterNames = [.. segments.Where(s => s.IsParameter).Select(s => s.Value)];
    }

    /// <summary>The normalised pattern text.</summary>
    public string Text { get; }

    public IReadOnlyList<RouteSegment> Segments { get; }

    public string Key { get; }

    public string[] ParameterNames { get; }

    public bool IsLiteral => ParameterNames.Length == 0;

    public static bool TryParse(string? path, out RoutePattern? pattern, out string? error)
    {
        pattern = null;
        if (string.IsNullOrEmpty(path) || path[0] != '/')
        {
            error = "must start with '/'";
            return false;
        }

        if (path.Length > MaxLength)
        {
            error = $"must be at most {MaxLength} characters";
            return false;
        }

        var trimmed = path.Length > 1 && path[^1] == '/' ? path[..^1] : path;
        var segments = new List<RouteSegment>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (trimmed != "/")
        {
            foreach (var part in trimmed[1..].Split('/'))
            {
                if (part.Length == 0)
                {
                    error = "must not contain empty segments ('//')";
                    return false;
                }

                if (part[0] == '{')
                {
                    var name = part.Length > 2 && part[^1] == '}' ? part[1..^1] : null;
                    if (name is null || !IsIdentifier(name))
                    {
                        error = $"parameter segment '{part}' must look like {{name}} (letters, digits, '_', '-', '.'; starting with a letter or '_')";
                        return false;
                    }

                    if (!names.Add(name))
                    {
                        error = $"parameter '{name}' appears twice";
                        return false;
                    }

                    segments.Add(new RouteSegment(name, IsParameter: true));
                    continue;
                }

                foreach (var c in part)
                {
                    if (c is '{' or '}' or '?' or '#' or '%' || char.IsWhiteSpace(c) || char.IsControl(c))
                    {
                        error = $"segment '{part}' contains '{c}': parameters take a whole segment, and '?', '#', '%', spaces and control characters are not allowed";
                        return false;
                    }
                }

                segments.Add(new RouteSegment(part, IsParameter: false));
            }
        }

        if (names.Count > MaxParameters)
        {
            error = $"must have at most {MaxParameters} parameters";
            return false;
        }

        pattern = new RoutePattern(trimmed, [.. segments]);
        error = null;
        return true;
    }

    private static bool IsIdentifier(string name)
    {
        if (!(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name)
        {
            // '-' and '.' appear in real OpenAPI parameter names ({pet-id}, {file.name}).
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }
}
