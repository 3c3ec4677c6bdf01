namespace Edge.Sdk;

/// <summary>
/// An error a handler throws to answer with a given status and body <c>{"error": message}</c>.
/// </summary>
public class HandlerError : Exception
{
    /// <summary>Creates an error answered with <paramref name="statusCode"/> and <paramref name="message"/>.</summary>
    public HandlerError(int statusCode, string message)
        : this(statusCode, message, null)
    {
    }

    /// <summary>Creates an error with the exception that caused it (logged, never sent to the client).</summary>
    public HandlerError(int statusCode, string message, Exception? innerException)
        : base(message ?? string.Empty, innerException)
    {
        Response.ValidateStatus(statusCode);
        StatusCode = statusCode;
    }

    /// <summary>The HTTP status code of the response.</summary>
    public int StatusCode { get; }

    /// <summary>The response this error becomes: its status with body <c>{"error": Message}</c>.</summary>
    public Response ToResponse() => Response.Error(StatusCode, Message);

    /// <summary>400: the request is malformed.</summary>
    public static HandlerError BadRequest(string message) => new(400, message);

    /// <summary>400: the request's content failed validation.</summary>
    public static HandlerError ValidationError(string message) => new(400, message);

    /// <summary>401: the caller is not authenticated.</summary>
    public static HandlerError Unauthorized(string message) => new(401, message);

    /// <summary>403: the caller may not do this.</summary>
    public static HandlerError Forbidden(string message) => new(403, message);

    /// <summary>404: the resource does not exist (message "not found" when none is given).</summary>
    public static HandlerError NotFound(string? message = null) => new(404, message ?? "not found");

    /// <summary>405: the method is not allowed here.</summary>
    public static HandlerError MethodNotAllowed(string message) => new(405, message);

    /// <summary>409: the request conflicts with the current state.</summary>
    public static HandlerError Conflict(string message) => new(409, message);

    /// <summary>413: the request's payload is too large.</summary>
    public static HandlerError PayloadTooLarge(string message) => new(413, message);

    /// <summary>500: something went wrong on the server.</summary>
    public static HandlerError Internal(string message) => new(500, message);

    /// <summary>500: a database operation failed.</summary>
    public static HandlerError DatabaseError(string message) => new(500, message);

    /// <summary>500: a storage operation failed.</summary>
    public static HandlerError StorageError(string message) => new(500, message);

    /// <summary>503: a service the handler needs is unavailable.</summary>
    public static HandlerError ServiceUnavailable(string message) => new(503, message);
}
