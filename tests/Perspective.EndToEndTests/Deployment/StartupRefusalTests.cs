using System.Diagnostics;

namespace Perspective.EndToEndTests.Deployment;

/// <summary>
/// The published host in Production refuses settings it cannot run with: it exits with code 2 and one
/// line on stderr naming the setting, before it has created anything (no database file appears).
/// </summary>
public sealed class StartupRefusalTests
{
    public static TheoryData<string, Dictionary<string, string>> Refused => new()
    {
        { "Platform:PublicBaseUrl", new() { ["Platform__PublicBaseUrl"] = "ftp://perspective.example" } },
        { "Platform:PublicBaseUrl", new() { ["Platform__PublicBaseUrl"] = "https://perspective.example/platform" } },
        { "Platform:PublicBaseUrl", new() { ["Platform__PublicBaseUrl"] = "http://perspective.example" } },
        { "Platform:PublicBaseUrl", new() { ["Kestrel__Endpoints__Http__Url"] = "http://0.0.0.0:5080" } },
        { "Kestrel:Endpoints:Https:Certificate:Path", new() { ["Kestrel__Endpoints__Https__Url"] = "https://127.0.0.1:5443" } },
        { "Database:Provider", new() { ["Database__Provider"] = "Oracle" } },
        { "ConnectionStrings:Platform", new() { ["Database__Provider"] = "Postgres", ["ConnectionStrings__Platform"] = "" } },
        {
            "Kestrel:Endpoints:Https:Certificate:Path", new()
            {
                ["Kestrel__Endpoints__Https__Url"] = "https://127.0.0.1:5443",
                ["Kestrel__Endpoints__Https__Certificate__Path"] = "/nonexistent/server.pem",
                ["Kestrel__Endpoints__Https__Certificate__KeyPath"] = "/nonexistent/server.key",
            }
        },
        {
            // The CA's key does not belong to the server certificate.
            "Kestrel:Endpoints:Https:Certificate", new()
            {
                ["Kestrel__Endpoints__Https__Url"] = "https://127.0.0.1:5443",
                ["Kestrel__Endpoints__Https__Certificate__Path"] = TestCertificates.Instance.ServerCertificatePath,
                ["Kestrel__Endpoints__Https__Certificate__KeyPath"] = Path.Combine(TestCertificates.Instance.Directory, "ca.key"),
            }
        },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_setting_the_host_cannot_run_with_stops_it_with_one_line_naming_the_setting(string setting, Dictionary<string, string> settings)
    {
        var (exitCode, error, databaseCreated) = await StartAsync(PublishedHost.Directory, settings);

        Assert.Equal(2, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"Cannot start: {setting} ", line);
        Assert.False(databaseCreated, "The host created its database before refusing to start.");
    }

    [Fact]
    public async Task The_build_output_is_refused_in_production_with_what_to_run_instead()
    {
        // Started from the source folder, as `dotnet src/McpHost/bin/…/Perspective.McpHost.dll` from the repository root does.
        var (exitCode, error, databaseCreated) = await StartAsync(RepositoryPaths.Root, new Dictionary<string, string>());

        Assert.Equal(2, exitCode);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Cannot start: ASPNETCORE_CONTENTROOT ", line);
        Assert.Contains("dotnet publish src/McpHost -c Release -o publish", line);
        Assert.False(databaseCreated);
    }

    private static async Task<(int ExitCode, string Error, bool DatabaseCreated)> StartAsync(
        string workingDirectory, IReadOnlyDictionary<string, string> settings)
    {
        var data = Directory.CreateTempSubdirectory("perspective-refusal-").FullName;
        try
        {
            var (certificate, key) = TestCertificates.Instance.KeyEncryption;
            var start = new ProcessStartInfo("dotnet", [PublishedHost.EntryAssembly])
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
            start.Environment["Kestrel__Endpoints__Http__Url"] = "http://127.0.0.1:0";
            start.Environment["Kestrel__Endpoints__Grpc__Url"] = "http://127.0.0.1:0";
            start.Environment["ConnectionStrings__Platform"] = $"Data Source={Path.Combine(data, "platform.db")}";
            start.Environment["Platform__DataDirectory"] = data;
            start.Environment["Platform__KeyEncryption__CertificatePath"] = certificate;
            start.Environment["Platform__KeyEncryption__KeyPath"] = key;
            foreach (var (name, value) in settings)
            {
                start.Environment[name] = value;
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the host.");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"The host did not refuse to start; it printed:\n{await output}");
            }

            return (process.ExitCode, await error, Directory.EnumerateFiles(data, "platform.db*").Any());
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
