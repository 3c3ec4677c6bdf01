using Edge.Sdk;

namespace Edge.Services.Sql;

/// <summary>The <see cref="IDatabase"/> a handler gets: one SQL service, bound to the request's cancellation.</summary>
internal sealed class SqlDatabase(SqlService service, CancellationToken aborted) : IDatabase
{
    public string Engine => service.Engine;

    public Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> QueryAsync(string sql, object? args = null) =>
        service.QueryAsync(sql, args, int.MaxValue, aborted);

    public async Task<IReadOnlyDictionary<string, object?>?> QueryOneAsync(string sql, object? args = null)
    {
        var rows = await service.QueryAsync(sql, args, 1, aborted).ConfigureAwait(false);
        return rows.Count == 0 ? null : rows[0];
    }

    public Task<int> ExecuteAsync(string sql, object? args = null) => service.ExecuteAsync(sql, args, aborted);

    public async Task<T?> ScalarAsync<T>(string sql, object? args = null) =>
        SqlValues.Convert<T>(await service.ScalarAsync(sql, args, aborted).ConfigureAwait(false), service.Name);
}
