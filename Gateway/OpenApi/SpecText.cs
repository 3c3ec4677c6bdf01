using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Edge.Gateway.OpenApi;

/// <summary>
/// Spec text (YAML 1.2 or JSON) to one <see cref="JsonObject"/>, with the limits text uploaded by anyone needs.
/// YAML: one document; plain scalars typed by the YAML 1.2 core schema (so <c>yes</c>, <c>on</c>, <c>2001-01-01</c>
/// stay strings); quoted and block scalars are strings; <c>!!str</c>, <c>!!int</c>, <c>!!float</c>, <c>!!bool</c>,
/// <c>!!null</c> are honoured, other tags (<c>!Ref</c>, <c>!custom</c>) are ignored; every key becomes the string written;
/// <c>.inf</c> / <c>.nan</c> stay strings as written, because JSON has no such numbers; merge keys <c>&lt;&lt;</c> are applied
/// (keys of the mapping itself win, then earlier sources over later ones).
/// JSON: strict RFC 8259 (no comments, no trailing commas). Both: no duplicate keys, integers stay integers
/// (<see cref="long"/>, or <see cref="decimal"/> past that) and numbers with a fraction or exponent are doubles.
/// </summary>
internal static partial class SpecText
{
    /// <summary>Largest spec text accepted, in UTF-8 bytes: room for the biggest public specs, which run to a few MiB.</summary>
    public const int MaxBytes = 16 * 1024 * 1024;

    /// <summary>Deepest nesting of mappings and sequences (objects and arrays); the root is level 1.</summary>
    public const int MaxDepth = 128;

    /// <summary>
    /// Most nodes (scalars and collections) one document may produce, counting every copy an alias makes: this is what
    /// stops a "billion laughs" document of nested aliases, which is a few hundred bytes of text.
    /// </summary>
    public const int MaxNodes = 1_000_000;

    private const string CoreTagPrefix = "tag:yaml.org,2002:";
    private const int MaxQuotedLength = 60;
    private const int MaxMessageLength = 200;

    /// <summary>Parses spec text; throws <see cref="SpecFormatException"/> with one line saying what is wrong and where.</summary>
    public static JsonObject Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > MaxBytes)
        {
            throw new SpecFormatException(
                string.Create(CultureInfo.InvariantCulture, $"the spec text is {bytes:N0} bytes, over the limit of {MaxBytes:N0} bytes"));
        }

        var body = text.StartsWith('\uFEFF') ? text[1..] : text;
        var first = body.AsSpan().IndexOfAnyExcept(" \t\r\n");
        if (first < 0)
        {
            throw new SpecFormatException("the spec text is empty");
        }

        return body[first] is '{' or '[' ? ParseJson(body) : new YamlReader(body).Read();
    }

    private static JsonObject ParseJson(string text)
    {
        var utf8 = Encoding.UTF8.GetBytes(text);
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
            // Room above our own limit so that ours, with its clearer message, is the one that fires.
            MaxDepth = MaxDepth + 2,
        });
        var open = new List<JsonFrame>();
        JsonObject? root = null;
        long nodes = 0;
        try
        {
            while (reader.Read())
            {
                var at = reader.TokenStartIndex;
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        var isObject = reader.TokenType == JsonTokenType.StartObject;
                        if (open.Count == 0 && !isObject)
                        {
                            throw JsonFail(utf8, at, "the root must be an object, not an array");
                        }

                        if (open.Count >= MaxDepth)
                        {
                            throw JsonFail(utf8, at, $"nesting deeper than {MaxDepth} levels");
                        }

                        CountJsonNode(ref nodes, utf8, at);
                        open.Add(new JsonFrame(isObject ? new JsonObject() : new JsonArray()));
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        var done = open[^1];
                        open.RemoveAt(open.Count - 1);
                        if (open.Count == 0)
                        {
                            root = (JsonObject)done.Node;
                        }
                        else
                        {
                            open[^1].Add(done.Node);
                        }

                        break;
                    case JsonTokenType.PropertyName:
                        var top = open[^1];
                        var key = reader.GetString()!;
                        top.Keys ??= new Dictionary<string, long>(StringComparer.Ordinal);
                        if (!top.Keys.TryAdd(key, at))
                        {
                            var (line, column) = Position(utf8, top.Keys[key]);
                            throw JsonFail(utf8, at, $"duplicate key {Quote(key)}", $" (first at {line}:{column})");
                        }

                        top.PendingKey = key;
                        break;
                    default:
                        if (open.Count == 0)
                        {
                            throw JsonFail(utf8, at, "the root must be an object, not a single value");
                        }

                        CountJsonNode(ref nodes, utf8, at);
                        open[^1].Add(JsonScalar(ref reader, utf8, at));
                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            // Utf8JsonReader's position is a 0-based line and a byte offset in it; ours are 1-based characters.
            var lineStart = LineStart(utf8, ex.LineNumber ?? 0);
            var offset = Math.Min(utf8.Length, lineStart + (ex.BytePositionInLine ?? 0));
            var message = ex.Message;
            var suffix = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            throw JsonFail(utf8, offset, "JSON syntax error", ": " + OneLine(suffix > 0 ? message[..suffix] : message), ex);
        }

        return root ?? throw new SpecFormatException("the spec text is empty");
    }

    private static JsonNode? JsonScalar(ref Utf8JsonReader reader, byte[] utf8, long at)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return JsonValue.Create(reader.GetString());
            case JsonTokenType.True:
                return JsonValue.Create(true);
            case JsonTokenType.False:
                return JsonValue.Create(false);
            case JsonTokenType.Null:
                return null;
            default:
                var raw = reader.ValueSpan;
                if (raw.IndexOfAny("."u8) < 0 && raw.IndexOfAny("eE"u8) < 0)
                {
                    if (reader.TryGetInt64(out var integer))
                    {
                        return JsonValue.Create(integer);
                    }

                    if (reader.TryGetDecimal(out var big))
                    {
                        return JsonValue.Create(big);
                    }
                }

                if (reader.TryGetDouble(out var number) && double.IsFinite(number))
                {
                    return JsonValue.Create(number);
                }

                throw JsonFail(utf8, at, $"the number {Quote(Encoding.UTF8.GetString(raw))} is out of range");
        }
    }

    private static void CountJsonNode(ref long nodes, byte[] utf8, long at)
    {
        if (++nodes > MaxNodes)
        {
            throw JsonFail(utf8, at, $"the document has more than {MaxNodes:N0} nodes");
        }
    }

    private static SpecFormatException JsonFail(byte[] utf8, long offset, string what, string after = "", Exception? inner = null)
    {
        var (line, column) = Position(utf8, offset);
        return new SpecFormatException(
            string.Create(CultureInfo.InvariantCulture, $"{what} at {line}:{column}{after}"), line, column, inner);
    }

    private static long LineStart(byte[] utf8, long zeroBasedLine)
    {
        long start = 0;
        for (long line = 0; line < zeroBasedLine; line++)
        {
            var next = utf8.AsSpan((int)start).IndexOf((byte)'\n');
            if (next < 0)
            {
                break;
            }

            start += next + 1;
        }

        return start;
    }

    private static (int Line, int Column) Position(byte[] utf8, long offset)
    {
        var before = utf8.AsSpan(0, (int)Math.Min(offset, utf8.Length));
        var line = before.Count((byte)'\n') + 1;
        var lineStart = before.LastIndexOf((byte)'\n') + 1;
        return (line, Encoding.UTF8.GetCharCount(before[lineStart..]) + 1);
    }

    private static string Quote(string value)
    {
        var builder = new StringBuilder(Math.Min(value.Length, MaxQuotedLength) + 5).Append('"');
        foreach (var c in value.Length > MaxQuotedLength ? value[..MaxQuotedLength] : value)
        {
            builder.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                '"' => "\\\"",
                '\\' => "\\\\",
                _ when char.IsControl(c) => "\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture),
                _ => c.ToString(),
            });
        }

        return builder.Append(value.Length > MaxQuotedLength ? "\"…" : "\"").ToString();
    }

    /// <summary>A parser's message made one short line: System.Text.Json quotes the rest of the text after a bad literal.</summary>
    private static string OneLine(string message)
    {
        var line = WhiteSpace().Replace(message, " ").Trim();
        return line.Length > MaxMessageLength ? line[..MaxMessageLength] + "…" : line;
    }

    private static string At(Mark mark) => string.Create(CultureInfo.InvariantCulture, $"{mark.Line}:{mark.Column}");

    private static SpecFormatException Fail(string what, Mark at, string after = "", Exception? inner = null) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{what} at {At(at)}{after}"), (int)at.Line, (int)at.Column, inner);

    // YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1032-tag-resolution), the forms that need a pattern.
    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex DecimalIntegerPattern();

    [GeneratedRegex("^0o[0-7]+$")]
    private static partial Regex OctalIntegerPattern();

    [GeneratedRegex("^0x[0-9a-fA-F]+$")]
    private static partial Regex HexIntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"^([-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$")]
    private static partial Regex InfinityOrNaNPattern();

    private sealed class JsonFrame(JsonNode node)
    {
        public JsonNode Node { get; } = node;

        public Dictionary<string, long>? Keys { get; set; }

        public string? PendingKey { get; set; }

        public void Add(JsonNode? value)
        {
            if (Node is JsonArray array)
            {
                array.Add(value);
            }
            else
            {
                ((JsonObject)Node).Add(PendingKey!, value);
            }
        }
    }

    /// <summary>Builds the tree from YamlDotNet's event stream, which leaves aliases, keys and types to us.</summary>
    private sealed class YamlReader(string text)
    {
        private readonly Parser _parser = new(new StringReader(text));
        private readonly List<YamlFrame> _open = [];
        private readonly Dictionary<string, YamlAnchor> _anchors = new(StringComparer.Ordinal);
        private long _nodes;
        private JsonObject? _root;
        private Mark _last = Mark.Empty;

        public JsonObject Read()
        {
            Next(); // StreamStart
            var first = Next();
            if (first is StreamEnd)
            {
                throw new SpecFormatException("the spec text holds no YAML document, only blank lines or comments");
            }

            for (var e = Next(); e is not DocumentEnd; e = Next())
            {
                switch (e)
                {
                    case Scalar scalar:
                        OnScalar(scalar);
                        break;
                    case MappingStart mapping:
                        OnCollectionStart(mapping, isMapping: true);
                        break;
                    case SequenceStart sequence:
                        OnCollectionStart(sequence, isMapping: false);
                        break;
                    case MappingEnd or SequenceEnd:
                        OnCollectionEnd();
                        break;
                    case AnchorAlias alias:
                        OnAlias(alias);
                        break;
                }
            }

            var after = Next();
            if (after is DocumentStart)
            {
                throw Fail("the spec text holds more than one YAML document; the second starts", after.Start);
            }

            return _root ?? throw new SpecFormatException("the spec text holds no YAML document");
        }

        private ParsingEvent Next()
        {
            try
            {
                if (!_parser.MoveNext())
                {
                    throw new SpecFormatException("the YAML ends unexpectedly");
                }
            }
            catch (YamlException ex)
            {
                throw Fail("YAML syntax error", ex.Start, ": " + OneLine(ex.Message), ex);
            }
            catch (InvalidOperationException ex)
            {
                // YamlDotNet 16.3's scanner throws this, not a YamlException, for some broken flow collections
                // (an unclosed '[' with a new key on the next line); all we know is where the last good node ended.
                throw Fail("YAML syntax error", _last, ": the parser gave up after this point (an unclosed '[' or '{'?)", ex);
            }

            var current = _parser.Current!;
            _last = current.End;
            return current;
        }

        private YamlFrame? Top => _open.Count == 0 ? null : _open[^1];

        private void OnScalar(Scalar scalar)
        {
            if (Top is { IsMapping: true, ExpectingKey: true } frame)
            {
                if (!scalar.Anchor.IsEmpty)
                {
                    _anchors[scalar.Anchor.Value] = new YamlAnchor(JsonValue.Create(scalar.Value), scalar.Value, 1, 0);
                }

                var isMerge = scalar.Style == ScalarStyle.Plain && scalar.Value == "<<"
                    && (scalar.Tag.IsEmpty || scalar.Tag.Value == CoreTagPrefix + "merge");
                OnKey(frame, scalar.Value, scalar.Start, isMerge);
                return;
            }

            var value = Resolve(scalar);
            Count(1, scalar.Start);
            if (!scalar.Anchor.IsEmpty)
            {
                _anchors[scalar.Anchor.Value] = new YamlAnchor(value, scalar.Value, 1, 0);
            }

            AddValue(value, 0, scalar.Start, "a scalar");
        }

        private void OnCollectionStart(NodeEvent e, bool isMapping)
        {
            var kind = isMapping ? "a mapping" : "a sequence";
            if (Top is { IsMapping: true, ExpectingKey: true })
            {
                throw Fail($"a mapping key must be a scalar, not {kind}", e.Start);
            }

            if (_open.Count == 0 && !isMapping)
            {
                throw Fail("the root must be a mapping, not a sequence", e.Start);
            }

            if (_open.Count >= MaxDepth)
            {
                throw Fail($"nesting deeper than {MaxDepth} levels", e.Start);
            }

            if (!e.Tag.IsEmpty && e.Tag.Value.StartsWith(CoreTagPrefix, StringComparison.Ordinal)
                && e.Tag.Value[CoreTagPrefix.Length..] is "str" or "int" or "float" or "bool" or "null" or "binary" or "timestamp")
            {
                throw Fail($"the tag !!{e.Tag.Value[CoreTagPrefix.Length..]} cannot apply to {kind}", e.Start);
            }

            Count(1, e.Start);
            var anchor = e.Anchor.IsEmpty ? null : e.Anchor.Value;
            if (anchor is not null)
            {
                _anchors[anchor] = YamlAnchor.Open;
            }

            _open.Add(new YamlFrame(isMapping ? new JsonObject() : new JsonArray(), isMapping, anchor, _nodes - 1, e.Start));
        }

        private void OnCollectionEnd()
        {
            var frame = _open[^1];
            _open.RemoveAt(_open.Count - 1);
            if (frame.Merges is not null)
            {
                var target = (JsonObject)frame.Node;
                foreach (var source in frame.Merges)
                {
                    foreach (var (key, value) in source)
                    {
                        // Clones: a source may be an anchored node that a later alias copies whole.
                        target.TryAdd(key, value?.DeepClone());
                    }
                }
            }

            var height = frame.ChildHeight + 1;
            if (frame.Anchor is not null)
            {
                _anchors[frame.Anchor] = new YamlAnchor(frame.Node, null, _nodes - frame.NodesBefore, height);
            }

            if (_open.Count == 0)
            {
                _root = (JsonObject)frame.Node;
                return;
            }

            AddValue(frame.Node, height, frame.Start, frame.IsMapping ? "a mapping" : "a sequence");
        }

        private void OnAlias(AnchorAlias alias)
        {
            var name = alias.Value.Value;
            if (!_anchors.TryGetValue(name, out var anchor))
            {
                throw Fail($"the alias *{name} refers to no anchor defined before it", alias.Start);
            }

            if (anchor.IsOpen)
            {
                throw Fail($"the alias *{name} is inside the node it refers to", alias.Start);
            }

            if (Top is { IsMapping: true, ExpectingKey: true } frame)
            {
                if (anchor.ScalarText is null)
                {
                    throw Fail($"a mapping key must be a scalar, but the alias *{name} refers to a collection", alias.Start);
                }

                OnKey(frame, anchor.ScalarText, alias.Start, isMerge: false);
                return;
            }

            if (_open.Count + anchor.Height > MaxDepth)
            {
                throw Fail($"nesting deeper than {MaxDepth} levels through the alias *{name}", alias.Start);
            }

            // Counted before cloning, so a billion-laughs document fails before it allocates.
            Count(anchor.Nodes, alias.Start);
            AddValue(anchor.Node?.DeepClone(), anchor.Height, alias.Start, "an alias");
        }

        private static void OnKey(YamlFrame frame, string key, Mark at, bool isMerge)
        {
            frame.Keys ??= new Dictionary<string, Mark>(StringComparer.Ordinal);
            if (!frame.Keys.TryAdd(key, at))
            {
                throw Fail($"duplicate key {Quote(key)}", at, $" (first at {At(frame.Keys[key])})");
            }

            frame.PendingKey = key;
            frame.PendingIsMerge = isMerge;
            frame.ExpectingKey = false;
        }

        private void AddValue(JsonNode? value, int height, Mark at, string kind)
        {
            if (Top is not { } top)
            {
                throw Fail($"the root must be a mapping, not {kind}", at);
            }

            top.ChildHeight = Math.Max(top.ChildHeight, height);
            if (!top.IsMapping)
            {
                ((JsonArray)top.Node).Add(value);
                return;
            }

            if (top.PendingIsMerge)
            {
                top.Merges ??= [];
                switch (value)
                {
                    case JsonObject source:
                        top.Merges.Add(source);
                        break;
                    case JsonArray sources when sources.All(s => s is JsonObject):
                        top.Merges.AddRange(sources.Cast<JsonObject>());
                        break;
                    default:
                        throw Fail("the merge key << takes a mapping or a sequence of mappings", at);
                }
            }
            else
            {
                ((JsonObject)top.Node).Add(top.PendingKey!, value);
            }

            top.PendingKey = null;
            top.PendingIsMerge = false;
            top.ExpectingKey = true;
        }

        private void Count(long nodes, Mark at)
        {
            _nodes += nodes;
            if (_nodes > MaxNodes)
            {
                throw Fail($"the document expands to more than {MaxNodes:N0} nodes (every copy an alias makes counts)", at);
            }
        }

        private static JsonNode? Resolve(Scalar scalar)
        {
            var value = scalar.Value;
            if (scalar.Tag.IsNonSpecific)
            {
                return JsonValue.Create(value);
            }

            if (!scalar.Tag.IsEmpty && scalar.Tag.Value.StartsWith(CoreTagPrefix, StringComparison.Ordinal))
            {
                var tag = scalar.Tag.Value[CoreTagPrefix.Length..];
                switch (tag)
                {
                    case "str" or "binary" or "timestamp":
                        return JsonValue.Create(value);
                    case "null":
                        return value is "" or "~" or "null" or "Null" or "NULL" ? null : throw Mismatch(scalar, tag);
                    case "bool":
                        return ParseBool(value) is { } flag ? JsonValue.Create(flag) : throw Mismatch(scalar, tag);
                    case "int":
                        return ParseInteger(value, scalar.Start) ?? throw Mismatch(scalar, tag);
                    case "float":
                        if (InfinityOrNaNPattern().IsMatch(value))
                        {
                            return JsonValue.Create(value);
                        }

                        return DecimalIntegerPattern().IsMatch(value) || FloatPattern().IsMatch(value)
                            ? ParseDouble(value, scalar.Start)
                            : throw Mismatch(scalar, tag);
                    case "map" or "seq":
                        throw Fail($"the tag !!{tag} cannot apply to a scalar", scalar.Start);
                }
            }

            return scalar.Style == ScalarStyle.Plain ? Plain(value, scalar.Start) : JsonValue.Create(value);
        }

        private static JsonNode? Plain(string value, Mark at)
        {
            if (value is "" or "~" or "null" or "Null" or "NULL")
            {
                return null;
            }

            if (ParseBool(value) is { } flag)
            {
                return JsonValue.Create(flag);
            }

            // PERF: most plain scalars are words; only these first characters can start a number.
            if (!(char.IsAsciiDigit(value[0]) || value[0] is '-' or '+' or '.'))
            {
                return JsonValue.Create(value);
            }

            if (ParseInteger(value, at) is { } integer)
            {
                return integer;
            }

            return FloatPattern().IsMatch(value) ? ParseDouble(value, at) : JsonValue.Create(value);
        }

        private static bool? ParseBool(string value) => value switch
        {
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            _ => null,
        };

        private static JsonValue? ParseInteger(string value, Mark at)
        {
            if (DecimalIntegerPattern().IsMatch(value))
            {
                if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var small))
                {
                    return JsonValue.Create(small);
                }

                // PERF: BigInteger parsing is quadratic in the digits; past decimal's 29 digits only a double is left anyway.
                return value.Length <= 30
                    ? ToNumber(BigInteger.Parse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture), value, at)
                    : ParseDouble(value, at);
            }

            var isOctal = OctalIntegerPattern().IsMatch(value);
            if (!isOctal && !HexIntegerPattern().IsMatch(value))
            {
                return null;
            }

            if (value.Length > 66)
            {
                throw Fail($"the number {Quote(value)} is out of range", at);
            }

            var number = BigInteger.Zero;
            foreach (var digit in value.AsSpan(2))
            {
                number = (number * (isOctal ? 8 : 16)) + (char.IsAsciiDigit(digit) ? digit - '0' : (digit | 0x20) - 'a' + 10);
            }

            return ToNumber(number, value, at);
        }

        private static JsonValue ToNumber(BigInteger number, string text, Mark at)
        {
            if (number >= long.MinValue && number <= long.MaxValue)
            {
                return JsonValue.Create((long)number);
            }

            if (number >= new BigInteger(decimal.MinValue) && number <= new BigInteger(decimal.MaxValue))
            {
                return JsonValue.Create((decimal)number);
            }

            var approximate = (double)number;
            return double.IsFinite(approximate)
                ? JsonValue.Create(approximate)
                : throw Fail($"the number {Quote(text)} is out of range", at);
        }

        private static JsonValue ParseDouble(string value, Mark at)
        {
            var number = double.Parse(value, NumberStyles.Float, CultureInfo.InvariantCulture);
            return double.IsFinite(number) ? JsonValue.Create(number) : throw Fail($"the number {Quote(value)} is out of range", at);
        }

        private static SpecFormatException Mismatch(Scalar scalar, string tag) =>
            Fail($"the value {Quote(scalar.Value)} is tagged !!{tag} but is not one", scalar.Start);

    }

    private sealed class YamlFrame(JsonNode node, bool isMapping, string? anchor, long nodesBefore, Mark start)
    {
        public JsonNode Node { get; } = node;

        public bool IsMapping { get; } = isMapping;

        public string? Anchor { get; } = anchor;

        public long NodesBefore { get; } = nodesBefore;

        public Mark Start { get; } = start;

        public bool ExpectingKey { get; set; } = isMapping;

        public string? PendingKey { get; set; }

        public bool PendingIsMerge { get; set; }

        public Dictionary<string, Mark>? Keys { get; set; }

        public List<JsonObject>? Merges { get; set; }

        /// <summary>Height of the tallest child so far: an alias to this node adds height + 1 levels where it is used.</summary>
        public int ChildHeight { get; set; }
    }

    /// <summary>What an alias copies: the node, its text when it is a scalar (aliases may be keys), and its size.</summary>
    private sealed record YamlAnchor(JsonNode? Node, string? ScalarText, long Nodes, int Height)
    {
        public static readonly YamlAnchor Open = new(null, null, 0, 0) { IsOpen = true };

        public bool IsOpen { get; private init; }
    }
}
