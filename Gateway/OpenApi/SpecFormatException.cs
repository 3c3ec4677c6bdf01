namespace Edge.Gateway.OpenApi;

/// <summary>Spec text that cannot be read as one JSON object: one line saying what and, when known, where (1-based).</summary>
internal sealed class SpecFormatException(string message, int? line = null, int? column = null, Exception? inner = null)
    : Exception(message, inner)
{
    public int? Line { get; } = line;

    public int? Column { get; } = column;
}
