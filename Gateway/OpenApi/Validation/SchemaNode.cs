using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;

namespace Edge.Gateway.OpenApi.Validation;

/// <summary>
/// One compiled schema: the checks of its keywords, grouped by the kind of value they apply to, and its
/// subschemas. Built by <see cref="SchemaCompiler"/>: a node exists before its keywords are compiled (set
/// once, then never changed) so a <c>$ref</c> cycle (Node → children: [Node]) is just a reference back.
/// </summary>
internal sealed class SchemaNode(string pointer)
{
    private const int MaxStackText = 256;

    /// <summary>Where the schema is inside the contract, for build errors.</summary>
    public string Pointer { get; } = pointer;

    /// <summary>The schema <c>false</c>: nothing is valid.</summary>
    public bool IsFalse { get; set; }

    public JsonTypes Types { get; set; }

    /// <summary>The allowed types as a message reads them: "string or null".</summary>
    public string ExpectedTypes { get; set; } = "";

    /// <summary>OpenAPI 3.0 <c>nullable: true</c>: null passes the whole schema.</summary>
    public bool Nullable { get; set; }

    public EnumConstraint? Enum { get; set; }
    public EnumConstraint? Const { get; set; }
    public NumberConstraints? NumberChecks { get; set; }
    public StringConstraints? StringChecks { get; set; }
    public ArrayConstraints? ArrayChecks { get; set; }
    public ObjectConstraints? ObjectChecks { get; set; }

    /// <summary><c>$ref</c>; OpenAPI 3.1 lets other keywords stand beside it, and both apply.</summary>
    public SchemaNode? Ref { get; set; }

    public SchemaNode[]? AllOf { get; set; }
    public SchemaNode[]? AnyOf { get; set; }
    public SchemaNode[]? OneOf { get; set; }
    public SchemaNode? Not { get; set; }

    /// <summary>True when the schema checks nothing beyond its <see cref="Types"/>.</summary>
    public bool ChecksOnlyType =>
        !IsFalse && Enum is null && Const is null && NumberChecks is null && StringChecks is null && ArrayChecks is null
        && ObjectChecks is null && Ref is null && AllOf is null && AnyOf is null && OneOf is null && Not is null;

    public void Validate(JsonElement instance, ValidationContext context)
    {
        if (IsFalse)
        {
            if (context.Fail())
            {
                context.Describe("no value is allowed here");
            }

            return;
        }

        var kind = instance.ValueKind;
        if (kind == JsonValueKind.Null && Nullable)
        {
            return;
        }

        Ref?.Validate(instance, context);

        if (Types != JsonTypes.None && !HasType(instance, kind))
        {
            // The other keywords would only repeat the mismatch in other words.
            if (context.Fail())
            {
                context.Describe($"expected {ExpectedTypes}, got {TypeName(instance)}");
            }

            return;
        }

        if (kind == JsonValueKind.String && (StringChecks is not null || (Enum?.NeedsText ?? false) || (Const?.NeedsText ?? false)))
        {
            ValidateText(instance, context);
        }
        else
        {
            if (Enum is not null && !Enum.Matches(instance) && context.Fail())
            {
                context.Describe(Enum.Message);
            }

            if (Const is not null && !Const.Matches(instance) && context.Fail())
            {
                context.Describe(Const.Message);
            }

            switch (kind)
            {
                case JsonValueKind.Number:
                    NumberChecks?.Validate(instance, context);
                    break;
                case JsonValueKind.Array:
                    ArrayChecks?.Validate(instance, context);
                    break;
                case JsonValueKind.Object:
                    ObjectChecks?.Validate(instance, context);
                    break;
            }
        }

        if (AllOf is not null)
        {
            foreach (var schema in AllOf)
            {
                schema.Validate(instance, context);
            }
        }

        if (AnyOf is not null)
        {
            ValidateAnyOf(AnyOf, instance, context);
        }

        if (OneOf is not null)
        {
            ValidateOneOf(OneOf, instance, context);
        }

        if (Not is not null)
        {
            var mark = context.BeginTry();
            Not.Validate(instance, context);
            if (context.EndTry(mark) == 0 && context.Fail())
            {
                context.Describe("must not match the schema given in 'not'");
            }
        }
    }

    /// <summary>
    /// The keywords that read a string's text. PERF: the text is decoded from the document's UTF-8 onto the
    /// stack (a pooled array when long) instead of into a new string; only a value with escapes is read with
    /// GetString. The body's UTF-8 was checked before parsing, so decoding cannot fail.
    /// </summary>
    [SkipLocalsInit]
    private void ValidateText(JsonElement instance, ValidationContext context)
    {
        var raw = JsonMarshal.GetRawUtf8Value(instance)[1..^1];
        char[]? rented = null;
        // UTF-8 never takes fewer bytes than UTF-16 chars, so raw.Length chars always suffice.
        var buffer = raw.Length <= MaxStackText ? stackalloc char[MaxStackText] : (rented = ArrayPool<char>.Shared.Rent(raw.Length));
        try
        {
            scoped ReadOnlySpan<char> text;
            if (raw.IndexOf((byte)'\\') >= 0)
            {
                text = instance.GetString();
            }
            else
            {
                Utf8.ToUtf16(raw, buffer, out _, out var written);
                text = buffer[..written];
            }

            if (Enum is not null && !(Enum.NeedsText ? Enum.MatchesText(text) : Enum.Matches(instance)) && context.Fail())
            {
                context.Describe(Enum.Message);
            }

            if (Const is not null && !(Const.NeedsText ? Const.MatchesText(text) : Const.Matches(instance)) && context.Fail())
            {
                context.Describe(Const.Message);
            }

            StringChecks?.Validate(text, context);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }

    public static string TypeName(JsonElement instance) => instance.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => IsIntegral(instance) ? "integer" : "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    private bool HasType(JsonElement instance, JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => (Types & JsonTypes.Object) != 0,
        JsonValueKind.Array => (Types & JsonTypes.Array) != 0,
        JsonValueKind.String => (Types & JsonTypes.String) != 0,
        JsonValueKind.Number => (Types & JsonTypes.Number) != 0 || ((Types & JsonTypes.Integer) != 0 && IsIntegral(instance)),
        JsonValueKind.True or JsonValueKind.False => (Types & JsonTypes.Boolean) != 0,
        _ => (Types & JsonTypes.Null) != 0,
    };

    /// <summary>Whether the type keywords (here, behind $ref and in allOf) allow the value's type.</summary>
    private bool AcceptsTypeOf(JsonElement instance, int depth)
    {
        if (IsFalse || (Types != JsonTypes.None && !HasType(instance, instance.ValueKind)))
        {
            return false;
        }

        if (depth > 8)
        {
            return true;
        }

        if (Ref is not null && !Ref.AcceptsTypeOf(instance, depth + 1))
        {
            return false;
        }

        foreach (var part in AllOf ?? [])
        {
            if (!part.AcceptsTypeOf(instance, depth + 1))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>JSON Schema integers are numbers without a fractional part: 1.0 and 1e2 count.</summary>
    private static bool IsIntegral(JsonElement instance) =>
        instance.TryGetInt64(out _) || (instance.TryGetDouble(out var value) && double.IsFinite(value) && value == Math.Floor(value));

    private static void ValidateAnyOf(SchemaNode[] alternatives, JsonElement instance, ValidationContext context)
    {
        var closest = -1;
        var closestFailures = int.MaxValue;
        var tied = false;
        for (var i = 0; i < alternatives.Length; i++)
        {
            var mark = context.BeginTry();
            alternatives[i].Validate(instance, context);
            var failures = context.EndTry(mark);
            if (failures == 0)
            {
                return;
            }

            Track(alternatives[i], instance, i, failures, ref closest, ref closestFailures, ref tied);
        }

        ReportNoMatch(alternatives, closest, tied, instance, context);
    }

    private static void ValidateOneOf(SchemaNode[] alternatives, JsonElement instance, ValidationContext context)
    {
        var matches = 0;
        var first = -1;
        var second = -1;
        var closest = -1;
        var closestFailures = int.MaxValue;
        var tied = false;
        for (var i = 0; i < alternatives.Length; i++)
        {
            var mark = context.BeginTry();
            alternatives[i].Validate(instance, context);
            var failures = context.EndTry(mark);
            if (failures == 0)
            {
                matches++;
                if (first < 0)
                {
                    first = i;
                }
                else if (second < 0)
                {
                    second = i;
                }
            }
            else
            {
                Track(alternatives[i], instance, i, failures, ref closest, ref closestFailures, ref tied);
            }
        }

        if (matches == 0)
        {
            ReportNoMatch(alternatives, closest, tied, instance, context);
        }
        else if (matches > 1 && context.Fail())
        {
            context.Describe($"matches {matches} of the {alternatives.Length} alternatives (alternatives {first + 1} and {second + 1} at least); exactly one must match");
        }
    }

    /// <summary>
    /// Keeps the failing alternative with the fewest problems among those whose type fits the value: an
    /// alternative of another type is never "closest", however short its one complaint is.
    /// </summary>
    private static void Track(SchemaNode alternative, JsonElement instance, int index, int failures, ref int closest, ref int closestFailures, ref bool tied)
    {
        if (!alternative.AcceptsTypeOf(instance, 0))
        {
            return;
        }

        if (failures < closestFailures)
        {
            closest = index;
            closestFailures = failures;
            tied = false;
        }
        else if (failures == closestFailures)
        {
            tied = true;
        }
    }

    /// <summary>
    /// One problem for the whole choice; when one alternative came strictly closest, its own problems follow
    /// it, since they are most likely what the client got wrong.
    /// </summary>
    private static void ReportNoMatch(SchemaNode[] alternatives, int closest, bool tied, JsonElement instance, ValidationContext context)
    {
        if (!context.Fail())
        {
            return;
        }

        if (tied || closest < 0)
        {
            context.Describe($"does not match any of the {alternatives.Length} alternatives");
            return;
        }

        context.Describe(alternatives.Length == 1
            ? "does not match the only alternative, whose problems follow"
            : $"does not match any of the {alternatives.Length} alternatives; the closest is alternative {closest + 1}, whose problems follow");
        alternatives[closest].Validate(instance, context);
    }
}
