using System.Net;
using System.Text.Json;

namespace Perspective.EndToEndTests.Deployment;

/// <summary>
/// What the README's "Deploy" section tells an operator to run is what the tests run: the publish
/// command, the openssl command for the key-encryption certificate, and <c>deploy/platform.env</c>,
/// whose settings start the published host with only its file paths and addresses made local.
/// </summary>
public sealed class DocumentedDeploymentTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "README.md"));

    [Fact]
    public void The_readme_shows_the_commands_the_tests_run()
    {
        Assert.Contains(PublishedHost.PublishCommand, Readme);
        Assert.Contains(string.Format(System.Globalization.CultureInfo.InvariantCulture, TestCertificates.KeyEncryptionCommand,
            "key-encryption.pem", "key-encryption.key"), Readme);
        Assert.Contains("deploy/platform.env", Readme);
        Assert.Contains("deploy/perspective-platform.service", Readme);
    }

    [Fact]
    public async Task The_documented_environment_file_runs_the_published_host_over_https()
    {
        var certificates = TestCertificates.Instance;
        var (keyEncryptionCertificate, keyEncryptionKey) = certificates.NewKeyEncryptionCertificate();
        var dataDirectory = Directory.CreateTempSubdirectory("perspective-deployed-").FullName;
        var files = new Dictionary<string, string>
        {
            ["/etc/perspective-platform/tls.pem"] = certificates.ServerCertificatePath,
            ["/etc/perspective-platform/tls.key"] = certificates.ServerKeyPath,
            ["/etc/perspective-platform/key-encryption.pem"] = keyEncryptionCertificate,
            ["/etc/perspective-platform/key-encryption.key"] = keyEncryptionKey,
            ["/var/lib/perspective-platform"] = dataDirectory,
        };

        // The file names the ports, so they are chosen before the host starts (on new ones if another process took one).
        var (httpsPort, httpPort) = (0, 0);
        HostProcess DeployedOnFreePorts()
        {
            (httpsPort, httpPort, var grpcPort) = (HostProcess.FreePort(), HostProcess.FreePort(), HostProcess.FreePort());
            var addresses = new Dictionary<string, string>
            {
                ["https://perspective.example.com"] = $"https://127.0.0.1:{httpsPort}",
                ["https://0.0.0.0:443"] = $"https://127.0.0.1:{httpsPort}",
                ["http://0.0.0.0:80"] = $"http://127.0.0.1:{httpPort}",
                ["http://127.0.0.1:5081"] = $"http://127.0.0.1:{grpcPort}",
            };

            var settings = EnvironmentFile(Path.Combine(RepositoryPaths.Root, "deploy", "platform.env"))
                .ToDictionary(setting => setting.Key, setting => files.GetValueOrDefault(setting.Value) ?? addresses.GetValueOrDefault(setting.Value) ?? setting.Value);
            Assert.All(settings.Values, value => Assert.DoesNotContain("/etc/", value));
            settings["ConnectionStrings__Platform"] = ""; // the SQLite file in Platform__DataDirectory, as documented
            settings["Seed__Demo"] = "false";
            return HostProcess.Deployed($"https://127.0.0.1:{httpsPort}", $"http://127.0.0.1:{httpPort}", settings);
        }

        try
        {
            await using var host = await HostProcess.StartOnFreePortsAsync(DeployedOnFreePorts);

            using var http = host.CreateHttpClient();
            var discovery = JsonDocument.Parse(await http.GetStringAsync("/.well-known/oauth-authorization-server")).RootElement;
            Assert.Equal($"https://127.0.0.1:{httpsPort}/", discovery.GetProperty("issuer").GetString());

            using var plain = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
            using var redirect = await plain.GetAsync($"http://127.0.0.1:{httpPort}/account/login");
            Assert.Equal(HttpStatusCode.PermanentRedirect, redirect.StatusCode);

            Assert.True(File.Exists(Path.Combine(dataDirectory, "platform.db")), "The database is not in Platform__DataDirectory.");
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static IEnumerable<KeyValuePair<string, string>> EnvironmentFile(string path) =>
        File.ReadAllLines(path)
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('=', 2))
            .Select(parts => KeyValuePair.Create(parts[0], parts[1]));
}
