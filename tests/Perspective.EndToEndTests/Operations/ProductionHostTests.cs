using System.Net;
using System.Text.Json;
using Perspective.Tests.Shared;

namespace Perspective.EndToEndTests.Operations;

/// <summary>The host in Production as operators run it: its console, its demo credentials, its scrape endpoint.</summary>
public sealed class ProductionHostTests
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task Json_logs_have_no_line_per_served_call_one_per_refused_one_no_credential_and_the_demo_password_only_at_first_seeding()
    {
        await using var host = HostProcess.OnSqlite(new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__Console__FormatterName"] = "json",
            ["Platform__ShutdownDrainDelay"] = "00:00:00",
        });
        await host.InitializeAsync();
        Assert.Contains($"Demo sign-in (shown only now): {DemoAccounts.Email} / {DemoAccounts.Password}", host.Output);
        var token = host.DemoLegacyToken;
        Assert.NotEmpty(token);
        var before = Lines(host.Output).Count;

        for (var i = 0; i < 200; i++)
        {
            Assert.True((await McpRequests.CallToolAsync(host.BaseUrl, token, "workspace_list")).Served);
        }

        // The console writes in order: once the refusal's line is out, any line of the calls before it would be too.
        var unknown = token[..^4] + (token.EndsWith("0000", StringComparison.Ordinal) ? "1111" : "0000");
        Assert.Equal(HttpStatusCode.Unauthorized, await McpRequests.ToolsListStatusAsync(host.BaseUrl, unknown));
        for (var i = 0; i < 400 && !host.Output.Contains("unknown_legacy_token", StringComparison.Ordinal); i++)
        {
            await Task.Delay(25);
        }

        var written = Lines(host.Output).Skip(before).ToList();
        var line = Assert.Single(written);
        var entry = JsonDocument.Parse(line).RootElement;
        Assert.Equal("Warning", entry.GetProperty("LogLevel").GetString());
        Assert.Equal("Perspective.McpHost.Mcp.Authentication.McpChallenge", entry.GetProperty("Category").GetString());
        Assert.Contains("unknown_legacy_token", entry.GetProperty("Message").GetString());
        Assert.DoesNotContain(unknown, line);

        // Every log line is one JSON object; the only other lines are the one-time secrets printed at first start.
        var printed = Lines(host.Output).Where(l => !l.StartsWith('{')).ToList();
        Assert.All(Lines(host.Output).Where(l => l.StartsWith('{')), l => JsonDocument.Parse(l).Dispose());
        Assert.All(printed, l => Assert.True(l.StartsWith("Admin client ", StringComparison.Ordinal) || l.StartsWith("curl ", StringComparison.Ordinal) ||
                                             l.StartsWith("Demo ", StringComparison.Ordinal), $"Not a JSON log line: {l}"));
        Assert.DoesNotContain(Lines(host.Output).Where(l => l.StartsWith('{')), l => l.Contains(token, StringComparison.Ordinal) || l.Contains(DemoAccounts.Password, StringComparison.Ordinal));

        var firstRun = host.Output.Length;
        await host.KillAsync();
        await host.StartAsync();
        Assert.DoesNotContain(DemoAccounts.Password, host.Output[firstRun..]);
        Assert.DoesNotContain(token, host.Output[firstRun..]);
    }

    [Fact]
    public async Task Prometheus_when_enabled_serves_the_product_metrics_on_its_own_port_only()
    {
        var scrapePort = 0;
        await using var host = await HostProcess.StartOnFreePortsAsync(() =>
        {
            scrapePort = HostProcess.FreePort();
            return HostProcess.OnSqlite(new Dictionary<string, string>
            {
                ["Telemetry__Prometheus__Enabled"] = "true",
                ["Telemetry__Prometheus__Port"] = scrapePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Platform__ShutdownDrainDelay"] = "00:00:00",
            });
        });
        Assert.True((await McpRequests.CallToolAsync(host.BaseUrl, host.DemoLegacyToken, "workspace_list")).Served);

        var scraped = await Http.GetStringAsync($"http://127.0.0.1:{scrapePort}/metrics");

        Assert.Contains("perspective_mcp_requests_total{", scraped);
        Assert.Contains("credential_kind=\"legacy_token\",outcome=\"ok\"", scraped);
        Assert.Contains("http_server_request_duration_seconds", scraped);
        using (var other = await Http.GetAsync($"http://127.0.0.1:{scrapePort}/healthz"))
        {
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        }

        using var noRedirects = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        using var publicOrigin = await noRedirects.GetAsync($"{host.BaseUrl}/metrics");
        Assert.NotEqual(HttpStatusCode.OK, publicOrigin.StatusCode);
        Assert.DoesNotContain("perspective_mcp_requests", await publicOrigin.Content.ReadAsStringAsync());
    }

    private static List<string> Lines(string output) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
}
