using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Perspective.EndToEndTests.Deployment;

namespace Perspective.EndToEndTests;

/// <summary>
/// The published platform host (<see cref="PublishedHost"/>) started as its own process in Production,
/// as the README's deploy section runs it, on free loopback ports with the demo seed switched on and
/// its keys protected by a key-encryption certificate: on a fresh SQLite file, or (<see cref="OnPostgres"/>)
/// on a PostgreSQL database shared with other hosts; over https with <see cref="OverHttps"/>.
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

    private HostProcess(
        IReadOnlyDictionary<string, string> settings, bool https = false, (string Public, string PlainHttp, string Grpc)? urls = null)
    {
        var (keyEncryptionCertificate, keyEncryptionKey) = TestCertificates.Instance.KeyEncryption;
        var defaults = new Dictionary<string, string>
        {
            ["Platform__KeyEncryption__CertificatePath"] = keyEncryptionCertificate,
            ["Platform__KeyEncryption__KeyPath"] = keyEncryptionKey,
        };
        BaseUrl = $"{(https ? "https" : "http")}://127.0.0.1:{FreePort()}";
        GrpcUrl = $"http://127.0.0.1:{FreePort()}";
        if (https)
        {
            // Kestrel's own certificate (signed by the run's CA) on the public origin, and a plain-http
            // endpoint beside it that only redirects, as the README's TLS example configures it.
            PlainHttpUrl = $"http://127.0.0.1:{FreePort()}";
            defaults["Kestrel__Endpoints__Https__Url"] = BaseUrl;
            defaults["Kestrel__Endpoints__Https__Certificate__Path"] = TestCertificates.Instance.ServerCertificatePath;
            defaults["Kestrel__Endpoints__Https__Certificate__KeyPath"] = TestCertificates.Instance.ServerKeyPath;
            defaults["Kestrel__Endpoints__Http__Url"] = PlainHttpUrl;
            defaults["Platform__PublicBaseUrl"] = BaseUrl;
        }
        else
        {
            defaults["Kestrel__Endpoints__Http__Url"] = BaseUrl;
        }

        if (urls is var (publicUrl, plainHttpUrl, grpcUrl))
        {
            (BaseUrl, PlainHttpUrl, GrpcUrl) = (publicUrl, plainHttpUrl, grpcUrl);
            defaults.Clear();
        }

        foreach (var (key, value) in settings)
        {
            defaults[key] = value;
        }

        this.settings = defaults;
    }

    /// <summary>A host on its own SQLite file, with extra configuration in environment-variable form.</summary>
    public static HostProcess OnSqlite(IReadOnlyDictionary<string, string> settings) => new(settings);

    /// <summary>
    /// A host on its own SQLite file configured only by <paramref name="settings"/> (an operator's
    /// environment file) and reached at <paramref name="publicBaseUrl"/>; <paramref name="plainHttpUrl"/>
    /// is its plain-http endpoint, where it is polled for health.
    /// </summary>
    public static HostProcess Deployed(string publicBaseUrl, string plainHttpUrl, IReadOnlyDictionary<string, string> settings) =>
        new(settings, https: false, urls: (publicBaseUrl, plainHttpUrl, settings["Kestrel__Endpoints__Grpc__Url"]));

    /// <summary>A host on its own SQLite file whose public origin is https, with Kestrel's own certificate.</summary>
    public static HostProcess OverHttps(IReadOnlyDictionary<string, string>? settings = null) => new(settings ?? new Dictionary<string, string>(), https: true);

    /// <summary>A host on <paramref name="connectionString"/>, with extra configuration in environment-variable form.</summary>
    public static HostProcess OnPostgres(string connectionString, IReadOnlyDictionary<string, string>? settings = null) =>
        new(new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
        {
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__Platform"] = connectionString,
        });

    /// <summary>The origin of the web UI, gRPC-Web and the MCP endpoint.</summary>
    public string BaseUrl { get; }

    /// <summary>The plain-http endpoint that redirects to the https origin (hosts made by <see cref="OverHttps"/> only).</summary>
    public string? PlainHttpUrl { get; }

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
        var start = new ProcessStartInfo("dotnet", [PublishedHost.EntryAssembly])
        {
            WorkingDirectory = PublishedHost.Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
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
        using var http = CreateHttpClient();
        http.Timeout = TimeSpan.FromSeconds(5);
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

    /// <summary>An HTTP client for this host: over https it trusts the run's test CA (and nothing else).</summary>
    public HttpClient CreateHttpClient(HttpMessageHandler? inner = null) =>
        new(inner ?? TestCertificates.Instance.TrustingHandler()) { BaseAddress = new Uri(BaseUrl + "/") };

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

    internal static int FreePort()
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
