using System.Buffers;
using System.Text;
using System.Text.Json;
using Edge.Gateway.OpenApi.Validation;
using Edge.Sdk;
using Microsoft.Net.Http.Headers;

namespace Edge.Gateway;

/// <summary>Writes a handler's <see cref="Response"/> and the gateway's own error bodies to the wire.</summary>
internal static class ResponseWriter
{
    private const int MaxRetainedBuffer = 256 * 1024;

    // PERF: one reusable buffer and JSON writer per thread; serialisation finishes before the first await.
    [ThreadStatic] private static ArrayBufferWriter<byte>? _threadBuffer;
    [ThreadStatic] private static Utf8JsonWriter? _threadWriter;
    [ThreadStatic] private static Utf8JsonWriter? _threadErrorWriter;

    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    // Error messages quote names ('id') and paths: readable beats \u0027. Handler bodies keep the
    // framework's default (defensive) escaping, as ASP.NET Core does.
    private static readonly JsonWriterOptions ErrorWriterOptions = new()
    {
        SkipValidation = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        HeaderNames.ContentLength, HeaderNames.TransferEncoding, HeaderNames.Connection, HeaderNames.KeepAlive,
        HeaderNames.Upgrade, HeaderNames.TE, HeaderNames.Trailer, HeaderNames.ProxyAuthenticate, RequestIds.HeaderName,
        HeaderNames.ContentType,
    };

    /// <summary>
    /// Serialises the body first (JSON with the handler version's own options), then sets status and headers,
    /// then writes: a body that cannot be serialised throws before anything reached the client.
    /// </summary>
    public static Task WriteAsync(HttpContext http, Response response, JsonSerializerOptions json)
    {
        var httpResponse = http.Response;
        ReadOnlySpan<byte> payload = default;
        byte[]? bytes = null;

        // 1xx, 204 and 304 never carry a body (Kestrel refuses one), whatever the handler attached.
        var bodyless = response.Status is < 200 or 204 or 304;
        switch (bodyless ? ResponseBodyKind.None : response.BodyKind)
        {
            case ResponseBodyKind.Json:
                payload = SerializeJson(response.Body, json);
                break;
            case ResponseBodyKind.Text:
                payload = Encode((string?)response.Body ?? "");
                break;
            case ResponseBodyKind.Bytes:
                bytes = (byte[]?)response.Body ?? [];
                break;
        }

        WriteHead(http, response, withContentType: !bodyless);
        if (bodyless)
        {
            return Task.CompletedTask;
        }

        if (bytes is not null)
        {
            httpResponse.ContentLength = bytes.Length;
            return bytes.Length == 0 ? Task.CompletedTask : httpResponse.Body.WriteAsync(bytes, 0, bytes.Length);
        }

        httpResponse.ContentLength = payload.Length;
        if (payload.Length == 0)
        {
            return Task.CompletedTask;
        }

        httpResponse.BodyWriter.Write(payload);
        var flush = httpResponse.BodyWriter.FlushAsync();
        return flush.IsCompletedSuccessfully ? Task.CompletedTask : flush.AsTask();
    }

    /// <summary>A gateway-made error: <c>{"error": ..., "request_id": ...}</c>.</summary>
    public static Task WriteErrorAsync(HttpContext http, int status, string message, string requestId)
    {
        var buffer = RentBuffer();
        var writer = RentWriter(buffer, error: true);
        writer.WriteStartObject();
        writer.WriteString("error"u8, message);
        writer.WriteString("request_id"u8, requestId);
        writer.WriteEndObject();
        writer.Flush();

        var response = http.Response;
        response.StatusCode = status;
        response.ContentType = Response.JsonContentType;
        response.ContentLength = buffer.WrittenCount;
        response.BodyWriter.Write(buffer.WrittenSpan);
        return response.BodyWriter.FlushAsync().AsTask();
    }

    /// <summary>Sets the status, the handler's headers (framing and reserved ones skipped) and the content type.</summary>
    public static void WriteHead(HttpContext http, Response response, bool withContentType)
    {
        var httpResponse = http.Response;
        httpResponse.StatusCode = response.Status;
        if (response.HeadersOrNull is { Count: > 0 } headers)
        {
            foreach (var (name, value) in headers)
            {
                if (!ReservedHeaders.Contains(name))
                {
                    httpResponse.Headers[name] = value;
                }
            }
        }

        if (withContentType && response.ResolveContentType() is { } contentType)
        {
            httpResponse.ContentType = contentType;
        }
    }

    /// <summary>The 400 for a request that fails its endpoint's OpenAPI checks: every problem with where it is.</summary>
    public static Task WriteValidationErrorAsync(HttpContext http, IReadOnlyList<ValidationProblem> problems, string requestId)
    {
        var buffer = RentBuffer();
        var writer = RentWriter(buffer, error: true);
        writer.WriteStartObject();
        writer.WriteString("error"u8, problems.Count == 1
            ? "request validation failed: " + problems[0].Message
            : $"request validation failed: {problems.Count} problems");
        writer.WriteString("request_id"u8, requestId);
        writer.WriteStartArray("problems"u8);
        foreach (var problem in problems)
        {
            writer.WriteStartObject();
            writer.WriteString("in"u8, problem.In);
            writer.WriteString("pointer"u8, problem.Pointer);
            writer.WriteString("message"u8, problem.Message);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();

        var response = http.Response;
        response.StatusCode = StatusCodes.Status400BadRequest;
        response.ContentType = Response.JsonContentType;
        response.ContentLength = buffer.WrittenCount;
        response.BodyWriter.Write(buffer.WrittenSpan);
        return response.BodyWriter.FlushAsync().AsTask();
    }

    private static ReadOnlySpan<byte> SerializeJson(object? value, JsonSerializerOptions options)
    {
        var buffer = RentBuffer();
        var writer = RentWriter(buffer, error: value is ErrorBody);
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            JsonSerializer.Serialize(writer, value, value.GetType(), options);
        }

        writer.Flush();
        return buffer.WrittenSpan;
    }

    private static ReadOnlySpan<byte> Encode(string text)
    {
        var buffer = RentBuffer();
        Encoding.UTF8.GetBytes(text, buffer);
        return buffer.WrittenSpan;
    }

    private static ArrayBufferWriter<byte> RentBuffer()
    {
        var buffer = _threadBuffer;
        if (buffer is null || buffer.Capacity > MaxRetainedBuffer)
        {
            // A huge body once must not keep a huge buffer on this thread forever.
            _threadBuffer = buffer = new ArrayBufferWriter<byte>(4096);
        }

        buffer.ResetWrittenCount();
        return buffer;
    }

    private static Utf8JsonWriter RentWriter(ArrayBufferWriter<byte> buffer, bool error)
    {
        ref var slot = ref error ? ref _threadErrorWriter : ref _threadWriter;
        if (slot is { } writer)
        {
            writer.Reset(buffer);
            return writer;
        }

        return slot = new Utf8JsonWriter(buffer, error ? ErrorWriterOptions : WriterOptions);
    }
}
