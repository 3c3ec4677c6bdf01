using System.Data;
using System.Data.Common;
using Edge.Sdk;

namespace Edge.Services.Sql;

/// <summary>
/// The ADO.NET part shared by the SQL connectors: every call opens a pooled connection, binds the handler's
/// <c>@name</c> parameters, runs one command and returns the connection, all inside
/// <see cref="ServiceInstance.RunAsync{T}"/>'s bounds. An engine supplies its connection, its failure
/// classification and its pool reset.
/// </summary>
internal abstract class SqlService(ServiceDefinition definition, ILogger logger) : ServiceInstance(definition, logger)
{
    /// <summary><c>sqlite</c>, <c>postgres</c> or <c>mysql</c>.</summary>
    public abstract string Engine { get; }

    /// <summary>
    /// Where calls run. A blocking driver's call runs on another thread while it holds its gate slot, so at most
    /// <c>max_in_flight</c> threads ever wait on the backend and request threads never do.
    /// </summary>
    protected abstract SqlThreading Threading { get; }

    /// <summary>Seconds a driver waits for a new connection: within the call timeout, at most 15.</summary>
    protected int ConnectTimeoutSeconds => Math.Clamp((Limits.CallTimeoutMs + 999) / 1000, 1, 15);

    /// <summary>The driver's own command timeout, a backstop only: the call's deadline cancels the command first.</summary>
    protected int CommandTimeoutSeconds => Limits.CallTimeoutMs / 1000 + 5;

    /// <summary>The query <see cref="ProbeAsync"/> runs; its single value describes the server.</summary>
    protected abstract string VersionQuery { get; }

    /// <summary>An open connection from the engine's pool. Any exception here means "backend unavailable".</summary>
    protected abstract ValueTask<DbConnection> OpenAsync(CancellationToken cancel);

    /// <summary>True when a failure during a command means the connection or server is gone (not a SQL error).</summary>
    protected abstract bool IsBroken(Exception error);

    /// <summary>Drops pooled connections, so the first call after a server restart gets fresh ones.</summary>
    protected abstract void ClearPool();

    /// <summary>Stops a running command when its call is cancelled (blocking drivers only; async ones take the token).</summary>
    protected virtual void Interrupt(DbConnection connection, DbCommand command)
    {
    }

    /// <summary>The message of a SQL error the backend reported.</summary>
    protected virtual string ErrorMessage(Exception error) => error.Message;

    /// <summary>Prepares a parameter value for this engine's driver (after the portable conversion).</summary>
    protected virtual object AdaptParameter(object value) => value;

    public override T? CreateHandle<T>(Context context)
        where T : class =>
        typeof(T) == typeof(IDatabase) ? (T)(object)new SqlDatabase(this, context.RequestAborted) : null;

    public Task<IReadOnlyList<IReadOnlyDictionary<string, object?>>> QueryAsync(string sql, object? args, int maxRows, CancellationToken aborted) =>
        RunCommandAsync(sql, args, aborted, async (command, cancel) =>
        {
            var behavior = maxRows == 1 ? CommandBehavior.SingleResult | CommandBehavior.SingleRow : CommandBehavior.SingleResult;
            await using var reader = await command.ExecuteReaderAsync(behavior, cancel).ConfigureAwait(false);
            var names = new string[reader.FieldCount];
            for (var i = 0; i < names.Length; i++)
            {
                names[i] = reader.GetName(i);
            }

            var rows = new List<IReadOnlyDictionary<string, object?>>();
            while (rows.Count < maxRows && await reader.ReadAsync(cancel).ConfigureAwait(false))
            {
                var row = new Dictionary<string, object?>(names.Length, StringComparer.Ordinal);
                for (var i = 0; i < names.Length; i++)
                {
                    row[names[i]] = SqlValues.FromDb(reader.GetValue(i));
                }

                rows.Add(row);
            }

            return (IReadOnlyList<IReadOnlyDictionary<string, object?>>)rows;
        });

    public Task<int> ExecuteAsync(string sql, object? args, CancellationToken aborted) =>
        RunCommandAsync(sql, args, aborted, async (command, cancel) =>
            // DDL reports -1 on some engines: no rows were affected.
            Math.Max(0, await command.ExecuteNonQueryAsync(cancel).ConfigureAwait(false)));

    public Task<object?> ScalarAsync(string sql, object? args, CancellationToken aborted) =>
        RunCommandAsync(sql, args, aborted, async (command, cancel) => await command.ExecuteScalarAsync(cancel).ConfigureAwait(false));

    public override async Task<string> ProbeAsync(CancellationToken cancel)
    {
        // A real round trip outside the gate and the fail-fast window: /test must say what the backend does now.
        try
        {
            var version = await Dispatch([], cancel, async (command, token) =>
            {
                command.CommandText = VersionQuery;
                return await command.ExecuteScalarAsync(token).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return DescribeVersion(Convert.ToString(version, System.Globalization.CultureInfo.InvariantCulture) ?? "");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if (ex is SqlConnectException || IsBroken(ex))
            {
                ClearPool();
            }

            // The whole description (with the socket/TLS cause) as the message: that is what /test shows.
            throw new SqlConnectException(Describe(ex));
        }
    }

    /// <summary>The probe's answer from the server's version string.</summary>
    protected abstract string DescribeVersion(string version);

    protected sealed override bool IsUnavailable(Exception error)
    {
        if (error is not SqlConnectException && !IsBroken(error))
        {
            return false;
        }

        ClearPool();
        return true;
    }

    protected sealed override HandlerError Failed(Exception error) =>
        new(500, $"service '{Name}': {ErrorMessage(error)}", error);

    private Task<T> RunCommandAsync<T>(string sql, object? args, CancellationToken aborted, Func<DbCommand, CancellationToken, Task<T>> work)
    {
        if (string.IsNullOrWhiteSpace(sql))
        {
            throw HandlerError.Internal($"service '{Name}': the SQL text is empty");
        }

        // Converted before the gate: a bad argument is the handler's mistake, not the backend's.
        var parameters = SqlParameters.Read(args);
        return RunAsync(cancel => Dispatch(parameters, cancel, (command, token) =>
        {
            command.CommandText = sql;
            return work(command, token);
        }), aborted);
    }

    private Task<T> Dispatch<T>(List<KeyValuePair<string, object>> parameters, CancellationToken cancel, Func<DbCommand, CancellationToken, Task<T>> work) =>
        Threading switch
        {
            SqlThreading.PoolThread => Task.Run(() => ExecuteOnConnectionAsync(parameters, cancel, work), cancel),
            SqlThreading.DedicatedThread => Task.Factory.StartNew(
                () => ExecuteOnConnectionAsync(parameters, cancel, work), cancel, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap(),
            _ => ExecuteOnConnectionAsync(parameters, cancel, work),
        };

    private async Task<T> ExecuteOnConnectionAsync<T>(List<KeyValuePair<string, object>> parameters, CancellationToken cancel, Func<DbCommand, CancellationToken, Task<T>> work)
    {
        DbConnection connection;
        try
        {
            connection = await OpenAsync(cancel).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not SqlConnectException)
        {
            throw new SqlConnectException(ex.Message, ex);
        }

        await using (connection.ConfigureAwait(false))
        {
            await using var command = connection.CreateCommand();
            foreach (var (name, value) in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@" + name;
                parameter.Value = AdaptParameter(value);
                command.Parameters.Add(parameter);
            }

            if (Threading == SqlThreading.Async)
            {
                return await work(command, cancel).ConfigureAwait(false);
            }

            // A blocking driver cannot see the token: a cancelled call interrupts its command from a pool thread
            // (never from the canceller's thread, which may be the gateway's timeout ticker), and that interrupt
            // lands before the connection can serve anyone else.
            Task? interrupting = null;
            var registration = cancel.UnsafeRegister(_ => interrupting = Task.Run(() => TryInterrupt(connection, command)), null);
            try
            {
                return await work(command, cancel).ConfigureAwait(false);
            }
            catch (Exception ex) when (cancel.IsCancellationRequested && ex is not OperationCanceledException)
            {
                throw new OperationCanceledException("the call was cancelled and its command interrupted", ex, cancel);
            }
            finally
            {
                registration.Dispose();
                if (interrupting is not null)
                {
                    await interrupting.ConfigureAwait(false);
                }
            }
        }
    }

    private void TryInterrupt(DbConnection connection, DbCommand command)
    {
        try
        {
            Interrupt(connection, command);
        }
        catch (Exception)
        {
            // Best effort from a cancellation callback (the server may be gone): the call has already timed out.
        }
    }
}
