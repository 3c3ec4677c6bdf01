using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Edge.Tests.Common;

/// <summary>Admin API calls on the <see cref="EdgeProcess.Admin"/> client: JSON in, parsed envelope out.</summary>
public static class AdminApi
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static Task<ApiResponse> GetApiAsync(this HttpClient admin, string path) =>
        admin.SendApiAsync(HttpMethod.Get, path, null);

    public static Task<ApiResponse> PostApiAsync(this HttpClient admin, string path, object? body = null) =>
        admin.SendApiAsync(HttpMethod.Post, path, body);

    public static Task<ApiResponse> PutApiAsync(this HttpClient admin, string path, object body) =>
        admin.SendApiAsync(HttpMethod.Put, path, body);

    public static Task<ApiResponse> DeleteApiAsync(this HttpClient admin, string path) =>
        admin.SendApiAsync(HttpMethod.Delete, path, null);

    /// <summary>Sends <paramref name="rawBody"/> verbatim as application/json (for malformed JSON tests).</summary>
    public static async Task<ApiResponse> SendRawAsync(this HttpClient admin, HttpMethod method, string path, string rawBody)
    {
        using var request = new HttpRequestMessage(method, path)
        {
            Content = new StringContent(rawBody, Encoding.UTF8, "application/json"),
        };
        return await admin.SendParsedAsync(request);
    }

    public static async Task<ApiResponse> SendApiAsync(this HttpClient admin, HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(body, body.GetType(), Json), Encoding.UTF8, "application/json");
        }

        return await admin.SendParsedAsync(request);
    }

    public static async Task<ApiResponse> SendParsedAsync(this HttpClient client, HttpRequestMessage request)
    {
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return new ApiResponse(response.StatusCode, body, response.Content.Headers.ContentType?.MediaType);
    }

    // ----- domains and collections -----

    public static Task<ApiResponse> CreateDomainAsync(this HttpClient admin, string name, string host, string? description = null) =>
        admin.PostApiAsync("/api/domains", new { name, host, description });

    public static Task<ApiResponse> CreateCollectionAsync(this HttpClient admin, string domainId, string name, string? basePath = null) =>
        admin.PostApiAsync("/api/collections", new { domain_id = domainId, name, base_path = basePath });

    // ----- services -----

    /// <summary>Creates a service (body from <see cref="TestServices"/>); must succeed. Returns its id.</summary>
    public static async Task<string> CreateServiceAsync(this HttpClient admin, object body) =>
        (await admin.PostApiAsync("/api/services", body)).ShouldSucceed().Data.Str("id");

    /// <summary>Binds a service to an endpoint under <paramref name="poolId"/>; must succeed.</summary>
    public static async Task BindServiceAsync(this HttpClient admin, string endpointId, string serviceId, string poolId) =>
        (await admin.PostApiAsync($"/api/endpoints/{endpointId}/services", new { service_id = serviceId, pool_id = poolId })).ShouldSucceed();

    // ----- endpoints -----

    public static Task<ApiResponse> CreateEndpointAsync(this HttpClient admin, EndpointSpec spec) =>
        admin.PostApiAsync("/api/endpoints", spec with { Name = spec.Name ?? Unique.Name("ep") });

    public static Task<ApiResponse> UpdateEndpointAsync(this HttpClient admin, string id, object fields) =>
        admin.PutApiAsync($"/api/endpoints/{id}", fields);

    public static Task<ApiResponse> GetEndpointAsync(this HttpClient admin, string id) =>
        admin.GetApiAsync($"/api/endpoints/{id}");

    public static Task<ApiResponse> CompileAsync(this HttpClient admin, string id) =>
        admin.PostApiAsync($"/api/endpoints/{id}/compile");

    public static Task<ApiResponse> StartEndpointAsync(this HttpClient admin, string id) =>
        admin.PostApiAsync($"/api/endpoints/{id}/start");

    public static Task<ApiResponse> DeployAsync(this HttpClient admin, string id) =>
        admin.PostApiAsync($"/api/endpoints/{id}/deploy");

    public static Task<ApiResponse> StopEndpointAsync(this HttpClient admin, string id) =>
        admin.PostApiAsync($"/api/endpoints/{id}/stop");

    /// <summary>Creates an endpoint and deploys it; both must succeed. Returns the endpoint id.</summary>
    public static async Task<string> DeployNewAsync(this HttpClient admin, EndpointSpec spec)
    {
        var created = (await admin.CreateEndpointAsync(spec)).ShouldSucceed();
        var id = created.Id;
        (await admin.DeployAsync(id)).ShouldSucceed();
        return id;
    }

    /// <summary>Changes the code of an endpoint and deploys it; both must succeed.</summary>
    public static async Task<ApiResponse> RedeployAsync(this HttpClient admin, string id, string code)
    {
        (await admin.UpdateEndpointAsync(id, new { code })).ShouldSucceed();
        return (await admin.DeployAsync(id)).ShouldSucceed();
    }

    /// <summary><c>GET /api/endpoints/{id}/logs</c> as (level, message) pairs, oldest first.</summary>
    public static async Task<IReadOnlyList<(string Level, string Message)>> LogsAsync(this HttpClient admin, string id)
    {
        var logs = (await admin.GetApiAsync($"/api/endpoints/{id}/logs")).ShouldSucceed();
        return [.. logs.Items.Select(e => (e.Str("level"), e.Str("message")))];
    }

    public static async Task<JsonElement> StatsAsync(this HttpClient admin) =>
        (await admin.GetApiAsync("/api/stats")).ShouldSucceed().Data;

    /// <summary>Ids of the objects a list call returned, sorted.</summary>
    public static IReadOnlyList<string> Ids(this ApiResponse list) =>
        [.. list.ShouldSucceed().Items.Select(e => e.Str("id")).Order(StringComparer.Ordinal)];

    public static bool IsSuccess(this ApiResponse response) =>
        (int)response.Status is >= 200 and < 300 && response.Ok;

    public static bool Is(this ApiResponse response, HttpStatusCode status) => response.Status == status;
}
