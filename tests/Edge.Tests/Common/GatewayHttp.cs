using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Edge.Tests.Common;

/// <summary>Calls through the gateway port and reads what came back.</summary>
public static class GatewayHttp
{
    /// <summary>Sends a request with an explicit <c>Host</c> header.</summary>
    public static Task<HttpResponseMessage> SendWithHostAsync(this HttpClient gateway, HttpMethod method, string path, string host)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Host = host;
        return gateway.SendAsync(request);
    }

    public static Task<HttpResponseMessage> SendAsync(this HttpClient gateway, HttpMethod method, string path, string? body = null, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return gateway.SendAsync(request);
    }

    /// <summary>A response header from either the response or the content headers, or null.</summary>
    public static string? Header(this HttpResponseMessage response, string name)
    {
        if (response.Headers.TryGetValues(name, out var values) ||
            response.Content.Headers.TryGetValues(name, out values))
        {
            return string.Join(", ", values);
        }

        return null;
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new ShouldAssertException($"{(int)response.StatusCode} body is not JSON: {text}");
        }
    }

    /// <summary>
    /// Asserts a gateway-made error: the status, a JSON body <c>{"error": "...", "request_id": "..."}</c>
    /// and an <c>x-request-id</c> header equal to the body's request_id. Returns the body.
    /// </summary>
    public static async Task<JsonElement> ShouldBeGatewayErrorAsync(this HttpResponseMessage response, System.Net.HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, text);
        var body = await response.JsonAsync();
        body.ValueKind.ShouldBe(JsonValueKind.Object, text);
        body.Str("error").ShouldNotBeNullOrWhiteSpace(text);
        var requestId = body.Str("request_id");
        requestId.ShouldNotBeNullOrWhiteSpace(text);
        response.Header("x-request-id").ShouldBe(requestId, $"x-request-id header vs body: {text}");
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/json", text);
        return body;
    }

    /// <summary>Status code and body, for failure messages.</summary>
    public static async Task<string> DescribeAsync(this HttpResponseMessage response) =>
        $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
}
