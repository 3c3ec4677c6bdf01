using System.Diagnostics;
using Edge.Tests.Common;

namespace Edge.Tests.Services.Sql;

/// <summary>
/// One SQL engine under test: the service body for the admin API, and the server's own command-line client
/// (psql, mariadb, sqlite3) to check from the other side what handlers wrote, and to write what they read.
/// </summary>
public sealed class SqlBackend
{
    private SqlBackend(string engine, string? sqliteFile)
    {
        Engine = engine;
        SqliteFile = sqliteFile;
    }

    public string Engine { get; }

    /// <summary>The database file of a sqlite backend.</summary>
    public string? SqliteFile { get; }

    public static TheoryData<string> Engines => new() { "sqlite", "postgres", "mysql" };

    /// <summary>A backend of <paramref name="engine"/>; sqlite files go into the gateway's folder.</summary>
    public static SqlBackend For(string engine, EdgeProcess edge) =>
        new(engine, engine == "sqlite" ? Path.Combine(edge.RootDir, Unique.Name("db") + ".sqlite") : null);

    /// <summary>A unique table name that is a plain SQL identifier on every engine.</summary>
    public static string Table(string prefix = "t") => $"{prefix}_{Unique.Id()}";

    /// <summary>Body for <c>POST /api/services</c>.</summary>
    public object Service(string name, object? extra = null) => Engine switch
    {
        "sqlite" => TestServices.Sqlite(name, SqliteFile!, extra),
        "postgres" => TestServices.Postgres(name, extra),
        "mysql" => TestServices.MariaDb(name, extra),
        _ => throw new ArgumentOutOfRangeException(nameof(Engine), Engine, null),
    };

    /// <summary>Runs SQL with the server's own client; each row is a line of tab-separated values (NULL → empty).</summary>
    public async Task<string[]> ClientAsync(string sql)
    {
        var (file, args, env) = Engine switch
        {
            "postgres" => ("psql", new[]
            {
                "-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-h", TestServices.Get("POSTGRES_HOST"),
                "-p", TestServices.Get("POSTGRES_PORT"), "-U", TestServices.Get("POSTGRES_USER"), "-d", TestServices.Get("POSTGRES_DATABASE"), "-c", sql,
            }, ("PGPASSWORD", TestServices.Get("POSTGRES_PASSWORD"))),
            "mysql" => ("mariadb", new[]
            {
                "--no-defaults", "-N", "-B", "-h", TestServices.Get("MARIADB_HOST"), "-P", TestServices.Get("MARIADB_PORT"),
                "-u", TestServices.Get("MARIADB_USER"), TestServices.Get("MARIADB_DATABASE"), "-e", sql,
            }, ("MYSQL_PWD", TestServices.Get("MARIADB_PASSWORD"))),
            _ => ("sqlite3", new[] { "-batch", "-bail", "-separator", "\t", SqliteFile!, sql }, ("SQLITE_TMPDIR", Path.GetTempPath())),
        };
        var start = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment[env.Item1] = env.Item2;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed ({process.ExitCode}) on: {sql}\n{await stderr}");
        }

        // mariadb -B prints NULL as the word; the others print nothing.
        var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return Engine == "mysql" ? [.. lines.Select(l => string.Join('\t', l.Split('\t').Select(v => v == "NULL" ? "" : v)))] : lines;
    }
}
