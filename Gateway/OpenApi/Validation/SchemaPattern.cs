using System.Text.RegularExpressions;

namespace Edge.Gateway.OpenApi.Validation;

/// <summary>
/// A "pattern" (or patternProperties key) compiled once. JSON Schema patterns are unanchored searches.
/// A match that runs past the timeout (catastrophic backtracking on hostile input) is reported as a
/// problem with the value, never thrown out of the validator.
/// </summary>
internal sealed class SchemaPattern
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(100);

    private readonly Regex _regex;

    private SchemaPattern(Regex regex, string text)
    {
        _regex = regex;
        Text = text;
    }

    public string Text { get; }

    /// <summary>Compiles <paramref name="text"/>; throws <see cref="ContractException"/> naming <paramref name="pointer"/>.</summary>
    public static SchemaPattern Create(string text, string pointer)
    {
        try
        {
            // PERF: interpreted, not RegexOptions.Compiled: a contract may hold hundreds of patterns, and
            // compiling each costs milliseconds at build for little gain on the short strings of a request.
            return new SchemaPattern(new Regex(text, RegexOptions.CultureInvariant, MatchTimeout), text);
        }
        catch (ArgumentException exception)
        {
            throw new ContractException($"{pointer}: not a valid regular expression: {exception.Message}");
        }
    }

    /// <summary>False when the match timed out; <paramref name="matched"/> is then meaningless.</summary>
    public bool TryMatch(ReadOnlySpan<char> value, out bool matched)
    {
        try
        {
            matched = _regex.IsMatch(value);
            return true;
        }
        catch (RegexMatchTimeoutException)
        {
            matched = false;
            return false;
        }
    }
}
