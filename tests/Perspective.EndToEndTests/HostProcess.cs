using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;

namespace Perspective.EndToEndTests;

/// <summary>
/// The built platform host started as its own process on free loopback ports with the demo seed,
/// exactly as the README's run command starts it: on a fresh SQLite file, or (<see cref="OnPostgres"/>)
/// on a PostgreSQL database shared with other hosts.
/// </summary>
public sealed class HostProcess : IAsyncLifetime, IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly string dataDirectory = Directory.CreateTempSubdirectory("perspective-e2e-").FullName;
    private readonly IReadOnlyDictionary<string, string> settings;
    private readonly StringBuilder output = new();
    private Process? process;

    public HostProcess()
        : this(new Dictionary<string, string>())
    {
    }

    private HostProcess(IReadOnlyDictionary<string, string> settings)
    {
        this.settings = settings;
        BaseUrl = $"http://127.0.0.1:{FreePort()}";
        GrpcUrl = $"http://127.0.0.1:{FreePort()}";
    }

    /// <summary>A host on its own SQLite file, with extra configuration in environment-variable form.</summary>
    public static HostProcess OnSqlite(IReadOnlyDictionary<string, string> settings) => new(settings);

    /// <summary>A host on <paramref name="connectionString"/>, with extra configuration in environment-variable form.</summary>
    public static HostProcess OnPostgres(string connectionString, IReadOnlyDictionary<string, string>? settings = null) =>
        new(new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
        {
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__Platform"] = connectionString,
        });

    /// <summary>The origin of the web UI, gRPC-Web and the MCP endpoint.</summary>
    public string BaseUrl { get; }

    /// <summary>The HTTP/2-only endpoint for native gRPC clients.</summary>
    public string GrpcUrl { get; }

    /// <summary>The demo legacy token the host printed once at its first seeding.</summary>
    public string DemoLegacyToken =>
        System.Text.RegularExpressions.Regex.Match(Output, @"Demo legacy token for \S+ \(shown only now\): ([0-9a-f]+)").Groups[1].Value;

    /// <summary>The admin client secret the host generated and printed once at its first start.</summary>
    public string AdminClientSecret =>
        System.Text.RegularExpressions.Regex.Match(Output, @"-d client_id=perspective-admin -d client_secret=(\S+)").Groups[1].Value;

    /// <summary>The running host's process id (for /proc/&lt;pid&gt;/status, say).</summary>
    public int ProcessId => process is { HasExited: false } running ? running.Id : throw new InvalidOperationException("The host is not running.");

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public Task InitializeAsync() => StartAsync();

    /// <summary>Starts the host (again) on the same ports and database and waits until it is healthy.</summary>
    public async Task StartAsync()
    {
        var hostDirectory = typeof(HostProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "HostOutputDirectory").Value!;
        var start = new ProcessStartInfo("dotnet", [Path.Combine(hostDirectory, "Perspective.McpHost.dll")])
        {
            WorkingDirectory = hostDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Kestrel__Endpoints__Http__Url"] = BaseUrl;
        start.Environment["Kestrel__Endpoints__Grpc__Url"] = GrpcUrl;
        start.Environment["ConnectionStrings__Platform"] = $"Data Source={Path.Combine(dataDirectory, "platform.db")}";
        start.Environment["Seed__Demo"] = "true";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        process?.Dispose();
        process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the host.");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        await WaitUntilHealthyAsync();
    }

    /// <summary>Kills the host outright (SIGKILL, as <c>kill -9</c>): no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    public async Task DisposeAsync()
    {
        await KillAsync();
        process?.Dispose();
        Directory.Delete(dataDirectory, recursive: true);
    }

    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();

    private async Task WaitUntilHealthyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (DateTime.UtcNow < deadline)
        {
            if (process!.HasExited)
            {
                throw new InvalidOperationException($"The host exited with code {process.ExitCode}:\n{Output}");
            }

            try
            {
                if ((await http.GetAsync($"{BaseUrl}/healthz")).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250);
        }

        throw new TimeoutException($"The host did not become healthy within {StartTimeout}:\n{Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Asks the host to stop as an orchestrator does (SIGTERM) and returns its exit code once it has exited.</summary>
    public async Task<int> TerminateAsync(TimeSpan timeout)
    {
        var running = process is { HasExited: false } started ? started : throw new InvalidOperationException("The host is not running.");
        using (var kill = Process.Start("kill", ["-TERM", running.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!)
        {
            await kill.WaitForExitAsync();
        }

        using var deadline = new CancellationTokenSource(timeout);
        await running.WaitForExitAsync(deadline.Token);
        return running.ExitCode;
    }
}
