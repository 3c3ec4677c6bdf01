using Microsoft.Extensions.Primitives;

namespace Edge.Gateway.Policies;

/// <summary>
/// An endpoint's CORS policy, its header values prepared once: answers preflights (without the handler) and adds the
/// response headers of actual cross-origin requests. Browsers enforce CORS; the gateway only says what is allowed.
/// </summary>
internal sealed class CorsPolicy
{
    private const string ExposedHeaders = "x-request-id";
    private readonly HashSet<string> _origins;
    private readonly HashSet<string> _methods;
    private readonly HashSet<string> _headers;
    private readonly string? _allowMethods;
    private readonly string? _allowHeaders;
    private readonly string? _maxAge;

    public CorsPolicy(CorsSettings settings, string endpointMethod)
    {
        Settings = settings;
        EndpointMethod = endpointMethod;
        _origins = new HashSet<string>(settings.Origins, StringComparer.OrdinalIgnoreCase);
        _methods = settings.Methods.Count == 0 ? new HashSet<string>([endpointMethod], StringComparer.Ordinal) : new HashSet<string>(settings.Methods, StringComparer.Ordinal);
        _headers = new HashSet<string>(settings.Headers, StringComparer.OrdinalIgnoreCase);
        _allowMethods = _methods.Contains("*") ? null : string.Join(", ", _methods);
        _allowHeaders = _headers.Contains("*") || _headers.Count == 0 ? null : string.Join(", ", settings.Headers);
        _maxAge = settings.MaxAgeSeconds?.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public CorsSettings Settings { get; }

    public string EndpointMethod { get; }

    /// <summary>An <c>OPTIONS</c> request with <c>Origin</c> and <c>Access-Control-Request-Method</c>.</summary>
    public static bool IsPreflight(HttpRequest request) =>
        HttpMethods.IsOptions(request.Method) &&
        request.Headers.Origin.Count > 0 &&
        request.Headers.AccessControlRequestMethod.Count > 0;

    /// <summary>Answers a preflight: 204 with the allowances, or 403 naming what was refused.</summary>
    public Task AnswerPreflightAsync(HttpContext http, string requestId)
    {
        var request = http.Request;
        var response = http.Response;
        var origin = request.Headers.Origin.ToString();
        var method = request.Headers.AccessControlRequestMethod.ToString().Trim();
        response.Headers.Vary = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
        if (!OriginAllowed(origin))
        {
            return ResponseWriter.WriteErrorAsync(http, 403, $"CORS: origin '{origin}' is not allowed for this endpoint", requestId);
        }

        if (!_methods.Contains("*") && !_methods.Contains(method))
        {
            return ResponseWriter.WriteErrorAsync(http, 403, $"CORS: method '{method}' is not allowed for this endpoint (allowed: {_allowMethods})", requestId);
        }

        var requested = RequestedHeaders(request.Headers.AccessControlRequestHeaders);
        if (!_headers.Contains("*"))
        {
            var refused = requested.Where(h => !_headers.Contains(h)).ToList();
            if (refused.Count > 0)
            {
                var allowed = _headers.Count == 0 ? "none" : string.Join(", ", Settings.Headers);
                return ResponseWriter.WriteErrorAsync(http, 403, $"CORS: request header(s) {string.Join(", ", refused)} not allowed for this endpoint (allowed: {allowed})", requestId);
            }
        }

        var headers = response.Headers;
        headers.AccessControlAllowOrigin = Settings.AnyOrigin ? "*" : origin;
        headers.AccessControlAllowMethods = _allowMethods ?? method;
        var allowHeaders = _allowHeaders ?? (requested.Count > 0 && _headers.Contains("*") ? string.Join(", ", requested) : null);
        if (allowHeaders is not null)
        {
            headers.AccessControlAllowHeaders = allowHeaders;
        }

        if (Settings.Credentials)
        {
            headers.AccessControlAllowCredentials = "true";
        }

        if (_maxAge is not null)
        {
            headers.AccessControlMaxAge = _maxAge;
        }

        response.StatusCode = StatusCodes.Status204NoContent;
        return Task.CompletedTask;
    }

    /// <summary>On an actual request from an allowed origin: the headers that let the browser's script read the answer.</summary>
    public void ApplyToActual(HttpContext http)
    {
        var headers = http.Response.Headers;
        if (!Settings.AnyOrigin || Settings.Credentials)
        {
            // The answer depends on the Origin header: caches must keep one copy per origin.
            headers.Vary = "Origin";
        }

        var origin = http.Request.Headers.Origin;
        if (origin.Count != 1 || !OriginAllowed(origin.ToString()))
        {
            return;
        }

        headers.AccessControlAllowOrigin = Settings.AnyOrigin && !Settings.Credentials ? "*" : origin.ToString();
        if (Settings.Credentials)
        {
            headers.AccessControlAllowCredentials = "true";
        }

        headers.AccessControlExposeHeaders = ExposedHeaders;
        headers.Vary = "Origin";
    }

    private bool OriginAllowed(string origin) => Settings.AnyOrigin || _origins.Contains(origin);

    private static List<string> RequestedHeaders(StringValues values)
    {
        var list = new List<string>();
        foreach (var value in values)
        {
            foreach (var part in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                list.Add(part.ToLowerInvariant());
            }
        }

        return list;
    }
}
