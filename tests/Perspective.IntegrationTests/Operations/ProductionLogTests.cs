using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Hosting;
using Perspective.Keys.Tokens;
using Perspective.Tests.Shared;

namespace Perspective.IntegrationTests.Operations;

/// <summary>The shipped log levels in Production: nothing per successful request, one line per refused one, never a credential.</summary>
public sealed class ProductionLogTests : IDisposable
{
    private const int Calls = 25;

    private readonly PlatformFactory platform = new();
    private readonly WebApplicationFactory<Program> production;

    public ProductionLogTests()
    {
        // Production refuses to start without a key-encryption certificate.
        var keyEncryption = TestKeyEncryptionCertificates.CreatePem(platform.DataDirectory, "production-key-encryption");
        production = platform.WithWebHostBuilder(builder => builder.UseEnvironment(Environments.Production)
            .UseSetting("Platform:ShutdownDrainDelay", "00:00:00")
            .UseSetting("Platform:KeyEncryption:CertificatePath", keyEncryption.CertificatePath)
            .UseSetting("Platform:KeyEncryption:KeyPath", keyEncryption.KeyPath)
            // Production serves the settings UI from the web root, which only a published build has; the source folder stands in.
            .UseWebRoot(SettingsUiSource()));
    }

    private static string SettingsUiSource()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(directory.FullName, "Perspective.Platform.sln")))
        {
            directory = directory.Parent ?? throw new InvalidOperationException("The tests do not run inside the repository.");
        }

        return Path.Combine(directory.FullName, "src", "WebUi", "wwwroot");
    }

    [Fact]
    public async Task Successful_mcp_calls_write_no_line_at_information_or_above()
    {
        var (token, _) = await production.CreateDemoKeyAsync("Quiet", "acme-research");
        await using var client = await McpTestClient.ConnectAsync(production, token);
        await client.CallAsync("workspace_list");
        var before = platform.Logs.Lines.Count;

        for (var i = 0; i < Calls; i++)
        {
            await client.CallAsync("workspace_list");
        }

        var logged = platform.Logs.Lines.Skip(before).Where(IsInformationOrAbove).ToList();
        Assert.True(logged.Count == 0, $"{Calls} successful calls logged:{Environment.NewLine}{string.Join(Environment.NewLine, logged)}");
    }

    [Fact]
    public async Task A_refused_mcp_credential_writes_exactly_one_warning_with_the_reason_and_without_the_credential()
    {
        var unknownKey = McpKeyToken.Generate();
        await McpTestClient.StatusAsync(production, null); // starts the host
        var before = platform.Logs.Lines.Count;

        Assert.Equal(HttpStatusCode.Unauthorized, await McpTestClient.StatusAsync(production, $"Bearer {unknownKey}"));

        var lines = platform.Logs.Lines.Skip(before).Where(IsInformationOrAbove).ToList();
        Assert.True(lines.Count == 1, $"Expected one line, got:{Environment.NewLine}{string.Join(Environment.NewLine, lines)}");
        var logged = lines[0];
        Assert.StartsWith("Warning Perspective.McpHost.Mcp.Authentication.McpChallenge: Refused an MCP request from", logged);
        Assert.Contains("unknown_key", logged);
        Assert.DoesNotContain(unknownKey[4..], logged);
    }

    [Fact]
    public async Task A_request_without_credentials_the_first_step_of_oauth_discovery_writes_nothing()
    {
        await McpTestClient.StatusAsync(production, null);
        var before = platform.Logs.Lines.Count;

        Assert.Equal(HttpStatusCode.Unauthorized, await McpTestClient.StatusAsync(production, null));

        Assert.DoesNotContain(platform.Logs.Lines.Skip(before), IsInformationOrAbove);
    }

    private static bool IsInformationOrAbove(string line) =>
        line.StartsWith("Information ", StringComparison.Ordinal) || line.StartsWith("Warning ", StringComparison.Ordinal) ||
        line.StartsWith("Error ", StringComparison.Ordinal) || line.StartsWith("Critical ", StringComparison.Ordinal);

    public void Dispose()
    {
        production.Dispose();
        platform.Dispose();
    }
}
