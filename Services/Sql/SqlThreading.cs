namespace Edge.Services.Sql;

/// <summary>Where a connector's calls run, given how its driver behaves.</summary>
internal enum SqlThreading
{
    /// <summary>The driver is truly asynchronous (Npgsql): calls run on the caller's flow and take the token.</summary>
    Async,

    /// <summary>
    /// The driver blocks, briefly (Microsoft.Data.Sqlite on a local file): calls run on a thread-pool thread, so a
    /// request thread never waits on the file lock.
    /// </summary>
    PoolThread,

    /// <summary>
    /// The driver blocks on the network (MySql.Data 8.0.16, whose async methods are synchronous): each call gets its
    /// own thread (LongRunning). Blocking that many pool threads would make a burst wait for the pool to grow
    /// (about a thread per half second); a thread start costs tens of microseconds against a round trip's hundreds.
    /// </summary>
    DedicatedThread,
}
