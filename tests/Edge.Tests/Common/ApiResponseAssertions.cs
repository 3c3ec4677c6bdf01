using System.Net;
using System.Text.Json;

namespace Edge.Tests.Common;

/// <summary>Shouldly-style checks of the admin envelope, with the whole answer in the failure message.</summary>
public static class ApiResponseAssertions
{
    /// <summary>2xx and <c>{"ok": true}</c>.</summary>
    public static ApiResponse ShouldSucceed(this ApiResponse response)
    {
        ((int)response.Status).ShouldBeInRange(200, 299, response.ToString());
        response.Ok.ShouldBeTrue(response.ToString());
        return response;
    }

    /// <summary>The given status and <c>{"ok": false, "error": "non-empty"}</c>.</summary>
    public static ApiResponse ShouldFail(this ApiResponse response, HttpStatusCode status)
    {
        response.Status.ShouldBe(status, response.ToString());
        response.IsJson.ShouldBeTrue($"error body is not JSON: {response}");
        response.Root.TryGetProperty("ok", out var ok).ShouldBeTrue($"no 'ok' in {response}");
        ok.ValueKind.ShouldBe(JsonValueKind.False, response.ToString());
        response.Error.ShouldNotBeNullOrWhiteSpace($"no error message in {response}");
        return response;
    }

    /// <summary>The error message names every one of <paramref name="fields"/>.</summary>
    public static ApiResponse ShouldNameFields(this ApiResponse response, params string[] fields)
    {
        foreach (var field in fields)
        {
            response.Error!.ShouldContain(field, Case.Sensitive, $"error does not name '{field}': {response}");
        }

        return response;
    }

    public static string Str(this JsonElement element, string name) =>
        element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new ShouldAssertException($"'{name}' is not a string in {element.GetRawText()}");

    public static long Num(this JsonElement element, string name) =>
        element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? v.GetInt64()
            : throw new ShouldAssertException($"'{name}' is not a number in {element.GetRawText()}");

    /// <summary>A number that may have a fraction (durations).</summary>
    public static double Dbl(this JsonElement element, string name) =>
        element.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number
            ? v.GetDouble()
            : throw new ShouldAssertException($"'{name}' is not a number in {element.GetRawText()}");

    public static bool Bool(this JsonElement element, string name) =>
        element.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? v.GetBoolean()
            : throw new ShouldAssertException($"'{name}' is not a boolean in {element.GetRawText()}");
}
