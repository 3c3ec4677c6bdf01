namespace Edge.Sdk;

/// <summary>
/// SQL on a <c>sqlite</c>, <c>postgres</c> or <c>mysql</c> service, from <see cref="Context.Database"/>.
/// Parameters are named <c>@name</c> in the SQL text and given as an anonymous object
/// (<c>new { id = 7 }</c>) or a dictionary, so the same text runs on all three engines. Values are always sent
/// as parameters, never spliced into the SQL. Failures throw <see cref="HandlerError"/>: 500
/// (<see cref="HandlerError.DatabaseError"/>) for an error the database reported, 503 when the database cannot
/// be reached, is saturated or is not active, 504 when the call outlived the service's <c>call_timeout_ms</c>.
/// </summary>
public interface IDatabase
{
    /// <summary>The engine behind this handle: <c>sqlite</c>, <c>postgres</c> or <c>mysql</c>.</summary>
    string Engine { get; }

    /// <summary>Runs a query and returns every row as column name → value (serialises as JSON objects).</summary>
    Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> QueryAsync(string sql, object? args = null);

    /// <summary>Runs a query and returns its first row, or null when there is none.</summary>
    Task<IReadOnlyDictionary<string, object?>?> QueryOneAsync(string sql, object? args = null);

    /// <summary>Runs a statement (INSERT, UPDATE, DELETE, DDL) and returns the number of rows it affected.</summary>
    Task<int> ExecuteAsync(string sql, object? args = null);

    /// <summary>Runs a query and returns the first column of its first row converted to <typeparamref name="T"/> (default when there is no row or it is NULL).</summary>
    Task<T?> ScalarAsync<T>(string sql, object? args = null);
}
