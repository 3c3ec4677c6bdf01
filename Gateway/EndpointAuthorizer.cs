using Edge.Gateway.Config;
using Edge.Gateway.Handlers;
using Edge.Gateway.Keys;

namespace Edge.Gateway;

/// <summary>
/// The <c>auth</c> check of an endpoint, before its body is read or its handler runs: a traffic key whose scopes reach
/// the endpoint (<c>api_key</c>), or a verified client certificate with an allowed name (<c>mtls</c>).
/// </summary>
internal static class EndpointAuthorizer
{
    /// <summary>Null when the request may go on (with the verified key, if any), else the status and message to answer.</summary>
    public static (int Status, string Message)? Check(HttpContext http, EndpointLimits limits, string endpointId, KeyRing keys, out Sdk.ApiKeyInfo? key)
    {
        key = null;
        switch (limits.Auth)
        {
            case EndpointAuth.ApiKey:
                var presented = Presented(http.Request.Headers);
                if (presented.IsEmpty)
                {
                    http.Response.Headers.WWWAuthenticate = "Bearer";
                    return (401, "this endpoint needs an API key: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'");
                }

                key = keys.VerifyTraffic(presented, out var problem);
                if (key is null)
                {
                    http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
                    return (401, $"invalid API key: {problem}");
                }

                if (!KeyScopes.AllowsEndpoint(key.Scopes, endpointId, limits.Name, limits.Domain, limits.CollectionId))
                {
                    return (403, $"API key '{key.Name}' is not allowed to call this endpoint (scopes: {string.Join(", ", key.Scopes)})");
                }

                return null;

            case EndpointAuth.Mtls:
                if (http.Connection.ClientCertificate is not { } certificate)
                {
                    return (401, "this endpoint needs a client certificate (mutual TLS over the HTTPS port)");
                }

                if (limits.AllowedClientNames.Count > 0 && !HasAllowedName(certificate, limits.AllowedClientNames))
                {
                    return (403, $"client certificate '{certificate.Subject}' is not one this endpoint allows");
                }

                return null;

            default:
                return null;
        }
    }

    private static ReadOnlySpan<char> Presented(IHeaderDictionary headers)
    {
        var authorization = headers.Authorization;
        if (authorization.Count == 1 && authorization[0] is { } value && value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return value.AsSpan(7).Trim();
        }

        var apiKey = headers["X-API-Key"];
        return apiKey.Count == 1 && apiKey[0] is { } raw ? raw.AsSpan().Trim() : [];
    }

    private static bool HasAllowedName(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, IReadOnlyList<string> allowed)
    {
        var identity = Sdk.ClientCertificate.From(certificate)!;
        foreach (var name in allowed)
        {
            if (identity.HasName(name))
            {
                return true;
            }
        }

        return false;
    }
}
