using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace Perspective.EndToEndTests;

/// <summary>
/// The built host as its own process in Production: without a usable key-encryption certificate it exits
/// with one line naming the setting and creates nothing; with a certificate made by openssl as
/// docs/secrets.md says, it starts, and a later start that lacks that certificate is refused naming it.
/// </summary>
public sealed class KeyEncryptionStartupTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private readonly string directory = Directory.CreateTempSubdirectory("perspective-e2e-keys-").FullName;

    private string DataDirectory => Path.Combine(directory, "data");

    [Fact]
    public async Task In_production_without_a_certificate_the_host_exits_with_one_line_naming_the_setting_and_creates_nothing()
    {
        var (exitCode, error) = await RunUntilExitAsync([]);

        Assert.Equal(2, exitCode);
        Assert.StartsWith("Cannot start: Platform:KeyEncryption:CertificatePath is not set", Assert.Single(error));
        Assert.False(Directory.Exists(DataDirectory));
    }

    [Fact]
    public async Task Keys_encrypted_with_a_certificate_that_is_no_longer_configured_are_refused_naming_the_retired_setting_and_the_thumbprint()
    {
        var (a, aThumbprint) = await OpenSslCertificateAsync("a");
        var (c, _) = await OpenSslCertificateAsync("c");
        await StartUntilHealthyThenKillAsync(a);

        var (exitCode, error) = await RunUntilExitAsync(c);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(error);
        Assert.StartsWith("Cannot start: Platform:KeyEncryption:RetiredCertificates does not list the certificate", line);
        Assert.Contains(aThumbprint, line);
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    // As docs/secrets.md tells an operator: a self-signed RSA certificate, its key apart, the thumbprint from openssl.
    private async Task<(Dictionary<string, string> Settings, string Thumbprint)> OpenSslCertificateAsync(string name)
    {
        var (certificate, key) = (Path.Combine(directory, name + ".crt.pem"), Path.Combine(directory, name + ".key.pem"));
        await RunOpenSslAsync("req", "-x509", "-newkey", "rsa:3072", "-sha256", "-days", "3650", "-nodes",
            "-subj", "/CN=Perspective key encryption", "-keyout", key, "-out", certificate);
        var fingerprint = await RunOpenSslAsync("x509", "-in", certificate, "-noout", "-fingerprint", "-sha256");
        return (new Dictionary<string, string>
        {
            ["Platform__KeyEncryption__CertificatePath"] = certificate,
            ["Platform__KeyEncryption__KeyPath"] = key,
        }, fingerprint.Trim().Split('=')[1].Replace(":", "", StringComparison.Ordinal));
    }

    private static async Task<string> RunOpenSslAsync(params string[] arguments)
    {
        using var openssl = Process.Start(new ProcessStartInfo("openssl", arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = openssl.StandardOutput.ReadToEndAsync();
        var error = openssl.StandardError.ReadToEndAsync();
        await openssl.WaitForExitAsync();
        Assert.True(openssl.ExitCode == 0, await error);
        return await output;
    }

    private async Task<(int ExitCode, List<string> StandardError)> RunUntilExitAsync(Dictionary<string, string> settings)
    {
        var (host, error) = Start(settings);
        using (host)
        {
            using var timeout = new CancellationTokenSource(Timeout);
            await host.WaitForExitAsync(timeout.Token);
            return (host.ExitCode, error.Lines);
        }
    }

    private async Task StartUntilHealthyThenKillAsync(Dictionary<string, string> settings)
    {
        var baseUrl = $"http://127.0.0.1:{FreePort()}";
        var (host, error) = Start(new Dictionary<string, string>(settings) { ["Kestrel__Endpoints__Http__Url"] = baseUrl });
        using (host)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            for (var deadline = DateTime.UtcNow + Timeout; !await IsHealthyAsync(http, baseUrl); await Task.Delay(250))
            {
                Assert.False(host.HasExited, $"The host exited with code {(host.HasExited ? host.ExitCode : 0)}: {string.Join('\n', error.Lines)}");
                Assert.True(DateTime.UtcNow < deadline, "The host did not become healthy.");
            }

            host.Kill(entireProcessTree: true);
            await host.WaitForExitAsync();
        }
    }

    private static async Task<bool> IsHealthyAsync(HttpClient http, string baseUrl)
    {
        try
        {
            return (await http.GetAsync($"{baseUrl}/healthz")).StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private (Process Host, CollectedLines StandardError) Start(Dictionary<string, string> settings)
    {
        var hostDirectory = typeof(KeyEncryptionStartupTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "HostOutputDirectory").Value!;
        var start = new ProcessStartInfo("dotnet", [Path.Combine(hostDirectory, "Perspective.McpHost.dll")])
        {
            WorkingDirectory = hostDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["Platform__DataDirectory"] = DataDirectory;
        start.Environment["Kestrel__Endpoints__Http__Url"] = $"http://127.0.0.1:{FreePort()}";
        start.Environment["Kestrel__Endpoints__Grpc__Url"] = $"http://127.0.0.1:{FreePort()}";
        foreach (var (key, value) in settings)
        {
            start.Environment[key] = value;
        }

        var host = Process.Start(start) ?? throw new InvalidOperationException("Could not start the host.");
        var error = new CollectedLines();
        host.OutputDataReceived += (_, _) => { };
        host.ErrorDataReceived += (_, e) => error.Add(e.Data);
        host.BeginOutputReadLine();
        host.BeginErrorReadLine();
        return (host, error);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class CollectedLines
    {
        private readonly List<string> lines = [];

        public List<string> Lines
        {
            get
            {
                lock (lines)
                {
                    return [.. lines];
                }
            }
        }

        public void Add(string? line)
        {
            if (!string.IsNullOrEmpty(line))
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            }
        }
    }
}
