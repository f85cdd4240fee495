using System.Text.Json;
using System.Text.RegularExpressions;
using Perspective.Tests.Shared;

namespace Perspective.EndToEndTests.Interop;

/// <summary>
/// What the MCP conformance runner is pointed at: a real host whose public address
/// (<c>Platform:PublicBaseUrl</c>) is a <see cref="BearerProxy"/> in front of it, as behind a reverse
/// proxy, the proxy adding a demo user's MCP key to every request. The runner cannot send a header;
/// through the proxy it authenticates like any client with a key, and the <c>Host</c> and <c>Origin</c>
/// it sends reach the host unchanged. Also finds Node.js 22 and the runner that scripts/test.sh installs.
/// </summary>
public sealed partial class ConformanceTarget : IAsyncLifetime
{
    /// <summary>The path of a Node.js 22 (or newer) executable; scripts/test.sh sets it.</summary>
    public const string NodeVariable = "PERSPECTIVE_TEST_NODE22";

    private static readonly string PackageDirectory = Path.Combine(
        RepositoryPaths.Root, "tests", "conformance", "node_modules", "@modelcontextprotocol", "conformance");

    private BearerProxy? proxy;
    private HostProcess? host;

    /// <summary>The MCP endpoint as the runner sees it: the proxy's <c>/mcp</c>.</summary>
    public string McpUrl => $"{proxy!.Url}/mcp";

    public string Node { get; private set; } = "";

    /// <summary>The runner's command-line entry point (a script for <see cref="Node"/>).</summary>
    public string Runner { get; private set; } = "";

    /// <summary>What the host printed, for failure messages.</summary>
    public string HostOutput => host?.Output ?? "";

    public async Task InitializeAsync()
    {
        // The tools first: without them there is nothing to start a host for.
        Node = await RequiredNodeAsync();
        Runner = RequiredRunner();
        try
        {
            proxy = await BearerProxy.StartAsync();
            host = HostProcess.OnSqlite(new Dictionary<string, string> { ["Platform__PublicBaseUrl"] = proxy.Url });
            await host.InitializeAsync();
            proxy.Target = host.BaseUrl;
            using var api = await PlatformApi.SignInAsync(host, DemoAccounts.Email, DemoAccounts.Password);
            proxy.Bearer = await api.CreateKeyAsync("MCP conformance runner", "acme-research");
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        if (proxy is not null)
        {
            await proxy.DisposeAsync();
            proxy = null;
        }

        if (host is not null)
        {
            await host.DisposeAsync();
            host = null;
        }
    }

    /// <summary>Runs the runner with <paramref name="arguments"/> under <see cref="Node"/>, within <paramref name="timeout"/>.</summary>
    public Task<CommandLineTool.Result> RunRunnerAsync(TimeSpan timeout, params string[] arguments) =>
        CommandLineTool.RunAsync(Node, [Runner, .. arguments], timeout, Path.Combine(RepositoryPaths.Root, "tests", "conformance"),
            new Dictionary<string, string> { ["NO_COLOR"] = "1", ["FORCE_COLOR"] = "0" });

    private static async Task<string> RequiredNodeAsync()
    {
        var node = Environment.GetEnvironmentVariable(NodeVariable);
        if (string.IsNullOrEmpty(node) || !File.Exists(node))
        {
            throw new InvalidOperationException(
                $"{NodeVariable} is {(string.IsNullOrEmpty(node) ? "not set" : $"'{node}', which does not exist")}: it must name a Node.js 22 " +
                "executable, which the MCP conformance runner needs. Run scripts/test.sh, which installs Node.js 22 under .tools/node22 and sets it.");
        }

        var version = await CommandLineTool.RunAsync(node, ["--version"], TimeSpan.FromSeconds(30));
        var major = NodeMajorVersion().Match(version.Output);
        if (version.ExitCode != 0 || !major.Success || int.Parse(major.Groups[1].Value) < 22)
        {
            throw new InvalidOperationException(
                $"{NodeVariable}={node} is not Node.js 22 or newer ('{version.Output.Trim()}{version.Error.Trim()}'); the MCP conformance runner needs 22.");
        }

        return node;
    }

    private static string RequiredRunner()
    {
        var manifest = Path.Combine(PackageDirectory, "package.json");
        if (!File.Exists(manifest))
        {
            throw new InvalidOperationException(
                "tests/conformance/node_modules lacks @modelcontextprotocol/conformance: run scripts/test.sh, which installs it.");
        }

        var bin = JsonDocument.Parse(File.ReadAllText(manifest)).RootElement.GetProperty("bin").GetProperty("conformance").GetString()!;
        return Path.GetFullPath(Path.Combine(PackageDirectory, bin));
    }

    [GeneratedRegex(@"^v(\d+)\.")]
    private static partial Regex NodeMajorVersion();
}
