using System.Text;
using System.Text.Json;

namespace Edge.Gateway.OpenApi.Validation;

/// <summary>
/// The state of one validation run: where in the document the checks are (a stack of segments, turned into a
/// pointer string only when a problem is described), the problems found so far, and whether problems are
/// wanted at all: while an anyOf/oneOf/not branch is tried the context is "quiet" and only counts failures.
/// </summary>
internal sealed class ValidationContext
{
    /// <summary>Past this many problems the rest are counted but not described.</summary>
    public const int MaxProblems = 100;

    // PERF: one context per thread, reused by every request validated on it (validation never awaits).
    [ThreadStatic]
    private static ValidationContext? _threadContext;

    private PathSegment[] _segments = new PathSegment[16];
    private int _depth;
    private int _quiet;
    private int _failures;
    private string _in = "";
    private string _prefix = "";
    private List<ValidationProblem>? _problems;

    /// <summary>True once the problem list is full and nobody is trying branches: loops may stop early.</summary>
    public bool IsFull => _quiet == 0 && _problems is not null && _problems.Count >= MaxProblems;

    public static ValidationContext Rent()
    {
        var context = _threadContext ??= new ValidationContext();
        context._depth = 0;
        context._quiet = 0;
        context._failures = 0;
        context._problems = null;
        return context;
    }

    /// <summary>Hands the problems over (null when there are none) and forgets them.</summary>
    public List<ValidationProblem>? TakeProblems()
    {
        var problems = _problems;
        _problems = null;
        return problems;
    }

    /// <summary>Starts a document: the problems that follow are reported in <paramref name="in"/> under <paramref name="prefix"/>.</summary>
    public void Start(string @in, string prefix)
    {
        _in = @in;
        _prefix = prefix;
        _depth = 0;
    }

    /// <summary>Counts a failure; true when the caller should <see cref="Describe"/> it (not quiet, list not full).</summary>
    public bool Fail()
    {
        _failures++;
        return _quiet == 0 && (_problems is null || _problems.Count < MaxProblems);
    }

    /// <summary>Adds a problem at the current pointer. Call only after <see cref="Fail"/> returned true.</summary>
    public void Describe(string message) => (_problems ??= []).Add(new ValidationProblem(_in, Pointer(), message));

    /// <summary>A problem outside any document (a missing parameter, a wrong content type).</summary>
    public void Report(string @in, string pointer, string message)
    {
        _failures++;
        if (_quiet == 0 && (_problems is null || _problems.Count < MaxProblems))
        {
            (_problems ??= []).Add(new ValidationProblem(@in, pointer, message));
        }
    }

    public void Push(string name) => Push(new PathSegment(name));

    public void Push(JsonProperty property) => Push(new PathSegment(property));

    public void Push(int index) => Push(new PathSegment(index));

    public void Pop() => _depth--;

    /// <summary>Starts trying a branch: problems are counted, not described. Returns the mark for <see cref="EndTry"/>.</summary>
    public int BeginTry()
    {
        _quiet++;
        return _failures;
    }

    /// <summary>Ends a branch started at <paramref name="mark"/>; returns how many failures it had and forgets them.</summary>
    public int EndTry(int mark)
    {
        var failures = _failures - mark;
        _failures = mark;
        _quiet--;
        return failures;
    }

    public static string Escape(string token) =>
        token.AsSpan().IndexOfAny('~', '/') < 0 ? token : token.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal);

    private void Push(PathSegment segment)
    {
        if (_depth == _segments.Length)
        {
            Array.Resize(ref _segments, _depth * 2);
        }

        _segments[_depth++] = segment;
    }

    private string Pointer()
    {
        if (_depth == 0)
        {
            return _prefix;
        }

        var builder = new StringBuilder(_prefix);
        for (var i = 0; i < _depth; i++)
        {
            builder.Append('/').Append(Escape(_segments[i].Token));
        }

        return builder.ToString();
    }
}
