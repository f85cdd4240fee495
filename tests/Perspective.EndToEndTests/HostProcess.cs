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
/// <remarks>
/// The host's public origin (OAuth issuer, resource, redirects) names its port, so the ports are chosen
/// before the host starts: free when <see cref="FreePort"/> reserved them, but released before the host
/// binds them. Another process may take one in between; then the host fails to bind, and a first start
/// is tried again on new ports, at most <see cref="StartAttempts"/> times. A start counts only once the
/// host's own log says it listens on every one of its addresses, so a process that took a port can never
/// pass for the host.
/// </remarks>
public sealed class HostProcess : IAsyncLifetime, IAsyncDisposable
{
    public const int StartAttempts = 3;

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly string dataDirectory = Directory.CreateTempSubdirectory("perspective-e2e-").FullName;
    private readonly IReadOnlyDictionary<string, string> callerSettings;
    private readonly bool https;
    private readonly bool choosesPorts;
    private readonly StringBuilder output = new();
    private IReadOnlyDictionary<string, string> settings;
    private Process? process;
    private int launchOutputLength;
    private bool started;

    public HostProcess()
        : this(new Dictionary<string, string>())
    {
    }

    private HostProcess(
        IReadOnlyDictionary<string, string> settings, bool https = false, (string Public, string PlainHttp, string Grpc)? urls = null)
    {
        (callerSettings, this.https) = (settings, https);
        if (urls is var (publicUrl, plainHttpUrl, grpcUrl))
        {
            (BaseUrl, PlainHttpUrl, GrpcUrl) = (publicUrl, plainHttpUrl, grpcUrl);
            this.settings = settings;
        }
        else
        {
            choosesPorts = true;
            this.settings = ChoosePorts();
        }
    }

    /// <summary>Picks free loopback ports for every endpoint; returns the settings that put the host on them.</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(BaseUrl), nameof(GrpcUrl))]
    private Dictionary<string, string> ChoosePorts()
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

        foreach (var (key, value) in callerSettings)
        {
            defaults[key] = value;
        }

        return defaults;
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
    public string BaseUrl { get; private set; }

    /// <summary>The plain-http endpoint that redirects to the https origin (hosts made by <see cref="OverHttps"/> only).</summary>
    public string? PlainHttpUrl { get; private set; }

    /// <summary>The HTTP/2-only endpoint for native gRPC clients.</summary>
    public string GrpcUrl { get; private set; }

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

    /// <summary>
    /// Starts the host and waits until it listens on its addresses and is healthy; started again, it
    /// keeps its ports and database. A first start whose port another process took moves to new ports.
    /// </summary>
    public async Task StartAsync()
    {
        if (process is { HasExited: false })
        {
            throw new InvalidOperationException("The host is running: stop it before starting it again.");
        }

        for (var attempt = 1; ; attempt++)
        {
            Launch();
            try
            {
                await WaitUntilHealthyAsync();
                started = true;
                return;
            }
            catch (PortTakenException) when (choosesPorts && !started && attempt < StartAttempts)
            {
                settings = ChoosePorts();
            }
        }
    }

    /// <summary>
    /// Makes a host with <paramref name="create"/> (which reserves its ports with <see cref="FreePort"/>)
    /// and starts it; when another process took one of those ports first, makes it again on new ones,
    /// at most <see cref="StartAttempts"/> times. For hosts whose ports are written into their settings
    /// by the test (an operator's environment file, the scrape port).
    /// </summary>
    public static async Task<HostProcess> StartOnFreePortsAsync(Func<HostProcess> create)
    {
        for (var attempt = 1; ; attempt++)
        {
            var host = create();
            try
            {
                await host.StartAsync();
                return host;
            }
            catch (PortTakenException) when (attempt < StartAttempts)
            {
                await host.DisposeAsync();
            }
        }
    }

    private void Launch()
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
        launchOutputLength = Output.Length;
        process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the host.");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
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
        var addresses = new[] { BaseUrl, GrpcUrl, PlainHttpUrl }.OfType<string>().ToList();
        while (DateTime.UtcNow < deadline)
        {
            if (process!.HasExited)
            {
                var exited = $"The host exited with code {process.ExitCode}:\n{Output}";
                throw Output[launchOutputLength..].Contains("address already in use", StringComparison.Ordinal)
                    ? new PortTakenException(exited)
                    : new InvalidOperationException(exited);
            }

            try
            {
                // Kestrel logs each address once it is bound (Microsoft.Hosting.Lifetime, at Information).
                var launched = Output[launchOutputLength..];
                if (addresses.All(address => launched.Contains($"Now listening on: {address}", StringComparison.Ordinal)) &&
                    (await http.GetAsync($"{BaseUrl}/healthz")).StatusCode == HttpStatusCode.OK)
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

    /// <summary>A loopback port free at this moment; released at once, so start hosts on it with a retry (see the remarks above).</summary>
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

/// <summary>The host could not bind one of its ports: another process took it after it was reserved.</summary>
public sealed class PortTakenException(string message) : Exception(message);
