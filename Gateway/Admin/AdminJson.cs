using System.Text.Json;
using System.Text.Json.Serialization;

namespace Edge.Gateway.Admin;

/// <summary>The admin API's JSON: snake_case names and the <c>{"ok", "data"|"error"}</c> envelope.</summary>
internal static class AdminJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,

        // A JSON API, not HTML: handler code reads better without \u0022 and \u003E everywhere.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static IResult Ok(object? data, int status = StatusCodes.Status200OK) =>
        Results.Json(new SuccessEnvelope(data), Options, statusCode: status);

    public static IResult Fail(int status, string error, object? data = null) =>
        Results.Json(new FailureEnvelope(error, data), Options, statusCode: status);

    public static IResult NotFound(string what, string id) => Fail(StatusCodes.Status404NotFound, $"{what} '{id}' not found");

    private sealed record SuccessEnvelope(object? Data)
    {
        [JsonPropertyOrder(-1)]
        public bool Ok => true;
    }

    private sealed record FailureEnvelope(string Error, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] object? Data)
    {
        [JsonPropertyOrder(-1)]
        public bool Ok => false;
    }
}
