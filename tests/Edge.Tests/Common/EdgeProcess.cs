using System.Diagnostics;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace Edge.Tests.Common;

/// <summary>
/// The real gateway as a child process: <c>dotnet edge.dll --data DIR --port N --admin-port M</c>
/// on a fresh temp folder and free ports. Restartable on the same folder and ports.
/// </summary>
public sealed class EdgeProcess : IAsyncDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(30);

    private readonly EdgeProcessOptions _options;
    private readonly Lock _outputLock = new();
    private readonly List<(string StdOut, string StdErr)> _previousRuns = [];
    private StringBuilder _stdout = new();
    private StringBuilder _stderr = new();
    private Process? _process;

    private EdgeProcess(EdgeProcessOptions options)
    {
        _options = options;
        RootDir = Path.Combine(Path.GetTempPath(), "edge-tests-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(RootDir);
        // Deliberately not created: the gateway must create its data folder.
        DataDir = Path.Combine(RootDir, "data");
        Port = FreePort.Next();
        AdminPort = FreePort.Next();
        while (AdminPort == Port)
        {
            AdminPort = FreePort.Next();
        }

        if (options.SetAdminToken)
        {
            Token = "t-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        }
    }

    /// <summary>Path of the gateway's entry assembly, copied next to the tests by the ProjectReference.</summary>
    public static string EdgeDll { get; } = LocateEdgeDll();

    public string RootDir { get; }

    public string DataDir { get; }

    public int Port { get; }

    public int AdminPort { get; }

    /// <summary>The admin token: the one set in the environment, or the one read from <c>data/admin-token</c>.</summary>
    public string? Token { get; private set; }

    /// <summary>Admin API client (bearer token set). Replaced on every (re)start.</summary>
    public HttpClient Admin { get; private set; } = null!;

    /// <summary>Gateway (traffic) client. Replaced on every (re)start.</summary>
    public HttpClient Gateway { get; private set; } = null!;

    public Uri AdminBase => new($"{(_options.AdminTls ? "https" : "http")}://127.0.0.1:{AdminPort}");

    public Uri GatewayBase => new($"{(_options.GatewayTls ? "https" : "http")}://127.0.0.1:{Port}");

    public int ProcessId => _process?.Id ?? throw new InvalidOperationException("not started");

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Exit code of the current run, null while it runs.</summary>
    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    /// <summary>From process launch to the first healthy answer, for the latest (re)start.</summary>
    public TimeSpan LastStartDuration { get; private set; }

    /// <summary>How many times the process was launched (1 after start, 2 after one restart, …).</summary>
    public int Launches { get; private set; }

    /// <summary>Standard output of the current run.</summary>
    public string StdOut
    {
        get
        {
            lock (_outputLock)
            {
                return _stdout.ToString();
            }
        }
    }

    /// <summary>Standard error of the current run.</summary>
    public string StdErr
    {
        get
        {
            lock (_outputLock)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>stdout and stderr of runs before the current one, oldest first.</summary>
    public IReadOnlyList<(string StdOut, string StdErr)> PreviousRuns
    {
        get
        {
            lock (_outputLock)
            {
                return [.. _previousRuns];
            }
        }
    }

    /// <summary>Starts a gateway on a fresh data folder and waits until <c>GET /api/health</c> answers.</summary>
    public static async Task<EdgeProcess> StartAsync(EdgeProcessOptions? options = null)
    {
        var edge = new EdgeProcess(options ?? new EdgeProcessOptions());
        try
        {
            await edge.LaunchAsync();
        }
        catch
        {
            await edge.DisposeAsync();
            throw;
        }

        return edge;
    }

    /// <summary>
    /// Runs the gateway with exactly <paramref name="args"/> (after edge.dll) and waits for it to exit
    /// by itself: for command-line errors. Kills it and fails if it is still running after the timeout.
    /// </summary>
    public static async Task<ProcessResult> RunToExitAsync(
        IEnumerable<string> args,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var gate = new Lock();
        using var process = new Process { StartInfo = CreateStartInfo([EdgeDll, .. args], environment ?? new Dictionary<string, string>(), null, Path.GetTempPath()) };
        process.OutputDataReceived += (_, e) => Append(gate, stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(gate, stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            string soFar;
            lock (gate)
            {
                soFar = $"--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}";
            }

            throw new TimeoutException($"edge {string.Join(' ', args)} did not exit within {timeout.TotalSeconds:0} s\n{soFar}");
        }

        lock (gate)
        {
            return new ProcessResult(process.ExitCode, stdout.ToString(), stderr.ToString());
        }
    }

    /// <summary>Sends SIGKILL and waits for the process to be gone.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: false); // SIGKILL on Linux
            p.WaitForExit();
        }
    }

    /// <summary>Sends SIGTERM, waits for the exit and returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan? timeout = null)
    {
        var p = _process ?? throw new InvalidOperationException("not started");
        if (!p.HasExited)
        {
            SendSigTerm();
        }

        return await WaitForExitAsync(timeout ?? ExitTimeout);
    }

    /// <summary>Sends SIGTERM without waiting.</summary>
    public void SendSigTerm()
    {
        var p = _process ?? throw new InvalidOperationException("not started");
        if (Native.Kill(p.Id, Native.SigTerm) != 0)
        {
            throw new InvalidOperationException($"kill(-TERM {p.Id}) failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        }
    }

    /// <summary>Waits for the current run to exit; fails (after a SIGKILL) if it does not in time.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        var p = _process ?? throw new InvalidOperationException("not started");
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw new TimeoutException($"edge did not exit within {timeout.TotalSeconds:0} s\n{Describe()}");
        }

        p.WaitForExit(); // drains the redirected output
        return p.ExitCode;
    }

    /// <summary>
    /// Starts the gateway again on the same data folder and ports. A running process is stopped
    /// gracefully first (SIGTERM); use <see cref="Kill"/> before for a crash restart.
    /// </summary>
    public async Task RestartAsync()
    {
        if (IsRunning)
        {
            await StopAsync();
        }

        await LaunchAsync();
    }

    /// <summary>The current run's output, for failure messages.</summary>
    public string Describe() =>
        $"edge pid {_process?.Id} (admin :{AdminPort}, gateway :{Port}, data {DataDir}), exit {ExitCode?.ToString() ?? "-"}\n" +
        $"--- stdout ---\n{Tail(StdOut)}\n--- stderr ---\n{Tail(StdErr)}";

    public async ValueTask DisposeAsync()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
            // already gone
        }

        _process?.Dispose();
        Admin?.Dispose();
        Gateway?.Dispose();
        await Task.Yield();
        try
        {
            Directory.Delete(RootDir, recursive: true);
        }
        catch (IOException)
        {
            // best effort: a leftover temp folder must not fail a test
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private async Task LaunchAsync()
    {
        lock (_outputLock)
        {
            if (_process is not null)
            {
                _previousRuns.Add((_stdout.ToString(), _stderr.ToString()));
            }

            _stdout = new StringBuilder();
            _stderr = new StringBuilder();
        }

        _process?.Dispose();
        Admin?.Dispose();
        Gateway?.Dispose();

        var env = new Dictionary<string, string>(_options.Environment);
        List<string> args = [EdgeDll, .. _options.LeadingArgs];
        if (_options.UseEnvironment)
        {
            env["EDGE_DATA"] = DataDir;
            env["EDGE_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            env["EDGE_ADMIN_PORT"] = AdminPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else
        {
            args.AddRange(["--data", DataDir, "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--admin-port", AdminPort.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        args.AddRange(_options.ExtraArgs);
        var tokenForEnv = _options.SetAdminToken ? Token : null;

        var process = new Process { StartInfo = CreateStartInfo(args, env, tokenForEnv, RootDir) };
        process.OutputDataReceived += (_, e) => Append(_outputLock, _stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(_outputLock, _stderr, e.Data);
        var launched = Stopwatch.StartNew();
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        Launches++;

        await WaitForHealthAsync();
        LastStartDuration = launched.Elapsed;

        if (!_options.SetAdminToken)
        {
            Token = await ReadGeneratedTokenAsync();
        }

        Admin = CreateClient(AdminBase, Token, _options.TrustedCa);
        Gateway = CreateClient(GatewayBase, null, _options.TrustedCa);
    }

    private async Task WaitForHealthAsync()
    {
        using var probe = CreateClient(AdminBase, null, _options.TrustedCa);
        probe.Timeout = TimeSpan.FromSeconds(2);
        var deadline = Stopwatch.StartNew();
        string? lastProblem = null;
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process!.HasExited)
            {
                _process.WaitForExit();
                throw new InvalidOperationException($"edge exited before /api/health answered\n{Describe()}");
            }

            try
            {
                using var response = await probe.GetAsync("/api/health");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                lastProblem = $"health answered {(int)response.StatusCode}";
            }
            catch (HttpRequestException e)
            {
                lastProblem = e.Message;
            }
            catch (TaskCanceledException e)
            {
                lastProblem = e.Message;
            }

            await Task.Delay(100);
        }

        Kill();
        throw new TimeoutException(
            $"edge did not answer GET /api/health within {StartTimeout.TotalSeconds:0} s (last: {lastProblem})\n{Describe()}");
    }

    private async Task<string?> ReadGeneratedTokenAsync()
    {
        var file = Path.Combine(DataDir, "admin-token");
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(5))
        {
            if (File.Exists(file))
            {
                var text = (await File.ReadAllTextAsync(file)).Trim();
                if (text.Length > 0)
                {
                    return text;
                }
            }

            await Task.Delay(50);
        }

        return null; // the test that needs it says so
    }

    private static HttpClient CreateClient(Uri baseAddress, string? token, System.Security.Cryptography.X509Certificates.X509Certificate2? trustedCa)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(5),
        };
        if (trustedCa is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => TestCertificates.ChainsTo(certificate, trustedCa);
        }

        var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    private static ProcessStartInfo CreateStartInfo(
        IEnumerable<string> args,
        IReadOnlyDictionary<string, string> env,
        string? adminToken,
        string workingDirectory)
    {
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Nothing from the test runner's environment may steer the gateway.
        foreach (var key in info.Environment.Keys.ToList())
        {
            if (key.StartsWith("EDGE_", StringComparison.Ordinal) ||
                key.StartsWith("ASPNETCORE_", StringComparison.Ordinal) ||
                key is "DOTNET_URLS" or "DOTNET_ENVIRONMENT")
            {
                info.Environment.Remove(key);
            }
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        if (adminToken is not null)
        {
            info.Environment["EDGE_ADMIN_TOKEN"] = adminToken;
        }

        foreach (var (key, value) in env)
        {
            info.Environment[key] = value;
        }

        return info;
    }

    private static string DotnetHost()
    {
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk))
        {
            return fromSdk;
        }

        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        return "dotnet";
    }

    private static string LocateEdgeDll()
    {
        var dir = AppContext.BaseDirectory;
        string[] needed = ["edge.dll", "edge.runtimeconfig.json", "edge.deps.json"];
        var missing = needed.Where(f => !File.Exists(Path.Combine(dir, f))).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"The gateway build output is incomplete in {dir}: missing {string.Join(", ", missing)}. " +
                "Build tests/Edge.Tests (it references ../../edge.csproj) before running the tests.");
        }

        return Path.Combine(dir, "edge.dll");
    }

    private static void Append(Lock gate, StringBuilder target, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (gate)
        {
            target.AppendLine(line);
        }
    }

    private static string Tail(string text, int max = 8000) =>
        text.Length <= max ? text : "…" + text[^max..];
}
