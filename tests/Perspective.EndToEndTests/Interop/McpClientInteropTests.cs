using Perspective.Tests.Shared;

namespace Perspective.EndToEndTests.Interop;

/// <summary>
/// MCP clients nobody here wrote, against the real host: the official TypeScript SDK client with a
/// key and with its own OAuth flow, and <c>mcp-remote</c> started exactly as the Claude Desktop
/// configuration starts it, with a key and without one (OAuth, signing in once across restarts)
/// (<c>tests/interop</c>, run with Node's test runner).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class McpClientInteropTests(HostProcess host)
{
    private static readonly string InteropDirectory = Path.Combine(RepositoryPaths.Root, "tests", "interop");

    [Fact]
    public async Task The_typescript_sdk_and_mcp_remote_connect_with_a_key_and_list_workspaces()
    {
        Assert.True(Directory.Exists(Path.Combine(InteropDirectory, "node_modules")),
            "tests/interop/node_modules is missing: run the README test command, which installs it.");
        using var api = await PlatformApi.SignInAsync(host, DemoAccounts.Email, DemoAccounts.Password);
        var token = await api.CreateKeyAsync("Interop clients", "acme-research");

        var result = await CommandLineTool.RunAsync(
            "node",
            ["--test", "test/interop.test.mjs"],
            TimeSpan.FromMinutes(3),
            InteropDirectory,
            new Dictionary<string, string> { ["MCP_URL"] = $"{host.BaseUrl}/mcp", ["MCP_TOKEN"] = token });

        Assert.True(result.ExitCode == 0, $"The interop tests failed:\n{result.Output}\n{result.Error}");
        Assert.Contains("# pass 3", result.Output);
        Assert.Contains("acme-research", result.Output);
        Assert.DoesNotContain("northwind-product", result.Output);
    }

    [Fact]
    public async Task The_typescript_sdk_connects_through_its_own_oauth_flow_and_sees_only_consented_workspaces()
    {
        var result = await CommandLineTool.RunAsync(
            "node",
            ["--test", "test/oauth.test.mjs"],
            TimeSpan.FromMinutes(3),
            InteropDirectory,
            new Dictionary<string, string>
            {
                ["MCP_URL"] = $"{host.BaseUrl}/mcp",
                ["DEMO_EMAIL"] = DemoAccounts.Email,
                ["DEMO_PASSWORD"] = DemoAccounts.Password,
            });

        Assert.True(result.ExitCode == 0, $"The OAuth interop test failed:\n{result.Output}\n{result.Error}");
        Assert.Contains("# pass 1", result.Output);
    }

    [Fact]
    public async Task The_typescript_sdk_steps_up_from_read_only_to_read_and_write_after_a_403_insufficient_scope()
    {
        var result = await CommandLineTool.RunAsync(
            "node",
            ["--test", "test/oauth-step-up.test.mjs"],
            TimeSpan.FromMinutes(3),
            InteropDirectory,
            new Dictionary<string, string>
            {
                ["MCP_URL"] = $"{host.BaseUrl}/mcp",
                ["DEMO_EMAIL"] = DemoAccounts.Email,
                ["DEMO_PASSWORD"] = DemoAccounts.Password,
            });

        Assert.True(result.ExitCode == 0, $"The OAuth step-up interop test failed:\n{result.Output}\n{result.Error}");
        Assert.Contains("# pass 1", result.Output);
    }

    [Fact]
    public async Task Oauth_clients_sign_in_once_and_refresh_their_tokens_when_started_again_after_expiry()
    {
        // A host of its own whose access tokens expire within the test.
        const int accessTokenSeconds = 5;
        await using var shortLived = HostProcess.OnSqlite(new Dictionary<string, string>
        {
            ["OAuth__AccessTokenLifetime"] = $"00:00:{accessTokenSeconds:00}",
        });
        await shortLived.InitializeAsync();
        var environment = new Dictionary<string, string>
        {
            ["MCP_URL"] = $"{shortLived.BaseUrl}/mcp",
            ["DEMO_EMAIL"] = DemoAccounts.Email,
            ["DEMO_PASSWORD"] = DemoAccounts.Password,
            ["ACCESS_TOKEN_LIFETIME_SECONDS"] = accessTokenSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

        // mcp-remote without a header, three starts on one config folder; the TypeScript SDK's own client.
        foreach (var test in new[] { "test/mcp-remote-reconnect.test.mjs", "test/oauth.test.mjs" })
        {
            var result = await CommandLineTool.RunAsync("node", ["--test", test], TimeSpan.FromMinutes(4), InteropDirectory, environment);

            Assert.True(result.ExitCode == 0, $"{test} failed:\n{result.Output}\n{result.Error}");
            Assert.Contains("# pass 1", result.Output);
        }
    }
}
