namespace Edge.Gateway.OpenApi.Validation;

/// <summary>
/// One thing wrong with a request. <paramref name="In"/> is "path", "query", "header", "cookie" or "body";
/// <paramref name="Pointer"/> is "/" + the parameter name for a parameter (JSON-pointer escaped), or an
/// RFC 6901 pointer into the body document ("" is the whole body).
/// </summary>
internal readonly record struct ValidationProblem(string In, string Pointer, string Message);
