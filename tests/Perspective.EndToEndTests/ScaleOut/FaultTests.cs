using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Grpc.Core;
using Perspective.Accounts.V1;
using Perspective.Keys.V1;
using Perspective.Tests.Shared;
using Xunit.Abstractions;

namespace Perspective.EndToEndTests.ScaleOut;

/// <summary>A host killed outright and a database that goes away: nothing acknowledged is lost, nothing breaks for good.</summary>
[Collection(ScaleOutCollection.Name)]
public sealed class FaultTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("Postgres")]
    [InlineData("Sqlite")]
    public async Task A_host_killed_during_key_creation_and_mcp_load_loses_no_acknowledged_key_and_shows_nothing_half_written(string provider)
    {
        var settings = new Dictionary<string, string> { ["Keys__MaxKeysPerUser"] = "100000" };
        await using var host = provider == "Postgres"
            ? HostProcess.OnPostgres(ScaleOutCluster.NewDatabase("kill"), settings)
            : HostProcess.OnSqlite(settings);
        await host.InitializeAsync();
        using var api = await PlatformApi.SignInAsync(host, DemoAccounts.Email, DemoAccounts.Password);
        var workspaceId = (await api.Accounts.ListMyWorkspacesAsync(new ListMyWorkspacesRequest())).Workspaces.Single(w => w.Slug == "acme-research").Id;
        var loadToken = (await api.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Load", WorkspaceIds = { workspaceId }, Access = McpKeyAccess.ReadWrite })).Token;

        var acknowledged = new ConcurrentDictionary<string, string>();
        var killing = false;
        using var killed = new CancellationTokenSource();
        var creators = Enumerable.Range(0, 8).Select(writer => Task.Run(async () =>
        {
            for (var i = 0; !killed.IsCancellationRequested; i++)
            {
                try
                {
                    var created = await api.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = $"Crash {writer}-{i}", WorkspaceIds = { workspaceId }, Access = McpKeyAccess.ReadWrite });
                    acknowledged[created.McpKey.Id] = created.Token;
                }
                catch (RpcException) when (Volatile.Read(ref killing))
                {
                    // In flight when the host died: not acknowledged, so no promise was made.
                }
            }
        })).ToList();
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!killed.IsCancellationRequested)
            {
                try
                {
                    await McpRequests.CallToolAsync(host.BaseUrl, loadToken, "workspace_list");
                }
                catch (HttpRequestException) when (Volatile.Read(ref killing))
                {
                }
            }
        })).ToList();

        // Kill once enough creations were acknowledged (bounded: a creator that fails ends the wait too).
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (acknowledged.Count < 40 && !creators.Any(c => c.IsCompleted) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        Assert.True(acknowledged.Count >= 40, $"Only {acknowledged.Count} keys were created before the kill.");

        Volatile.Write(ref killing, true);
        await host.KillAsync();
        await killed.CancelAsync();
        await Task.WhenAll(creators.Concat(load));

        await host.StartAsync();
        using var afterRestart = await PlatformApi.SignInAsync(host, DemoAccounts.Email, DemoAccounts.Password);
        var listed = await AllKeysAsync(afterRestart.Keys);
        output.WriteLine($"Acknowledged before the kill: {acknowledged.Count}; keys listed after the restart: {listed.Count} (load key included).");

        // Every acknowledged key is there and works; every key there is whole (it has its workspace).
        Assert.All(acknowledged.Keys, id => Assert.Contains(id, listed.Keys));
        Assert.All(listed.Values, key => Assert.Equal(workspaceId, Assert.Single(key.Workspaces).Id));
        foreach (var token in acknowledged.Values)
        {
            var call = await McpRequests.CallToolAsync(host.BaseUrl, token, "workspace_list");
            Assert.True(call.Served, call.Body);
            Assert.Contains("acme-research", call.Body);
        }
    }

    [Fact]
    public async Task Stopping_postgres_under_load_answers_503_and_unavailable_and_service_resumes_without_a_restart()
    {
        await using var host = HostProcess.OnPostgres(ScaleOutCluster.NewDatabase("outage"));
        await host.InitializeAsync();
        using var api = await PlatformApi.SignInAsync(host, DemoAccounts.Email, DemoAccounts.Password);
        var workspaceId = (await api.Accounts.ListMyWorkspacesAsync(new ListMyWorkspacesRequest())).Workspaces.First().Id;
        var token = (await api.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Outage", WorkspaceIds = { workspaceId }, Access = McpKeyAccess.ReadWrite })).Token;
        var oauthToken = await OAuthClientFlow.ConnectAsync(host.BaseUrl, "Outage client", DemoAccounts.Email, DemoAccounts.Password);

        var statuses = new ConcurrentDictionary<HttpStatusCode, int>();
        using var stopLoad = new CancellationTokenSource();
        var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stopLoad.IsCancellationRequested)
            {
                var call = await McpRequests.CallToolAsync(host.BaseUrl, token, "workspace_list");
                statuses.AddOrUpdate(call.Status, 1, (_, n) => n + 1);
            }
        })).ToList();

        try
        {
            await ScaleOutCluster.StopServerAsync();

            var mcp = await EventuallyAsync(() => McpRequests.CallToolAsync(host.BaseUrl, token, "workspace_list"), c => c.Status == HttpStatusCode.ServiceUnavailable);
            Assert.Contains("database is unavailable", JsonDocument.Parse(mcp.Body).RootElement.GetProperty("detail").GetString());

            // An OAuth client must not be told its token is invalid (it would start over): the database is down, not the grant.
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await McpRequests.CallToolAsync(host.BaseUrl, oauthToken, "workspace_list")).Status);

            var refused = await Assert.ThrowsAsync<RpcException>(() => api.Keys.ListMcpKeysAsync(new ListMcpKeysRequest()).ResponseAsync);
            Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
            Assert.Contains("database is unavailable", refused.Status.Detail);

            using var http = new HttpClient();
            using (var health = await http.GetAsync($"{host.BaseUrl}/healthz"))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
                Assert.Contains("\"database\":{\"provider\":\"Postgres\",\"status\":\"Unhealthy\"", await health.Content.ReadAsStringAsync());
            }
        }
        finally
        {
            await ScaleOutCluster.StartServerAsync();
        }

        // The same process, no restart: service comes back by itself.
        var resumed = await EventuallyAsync(() => McpRequests.CallToolAsync(host.BaseUrl, token, "workspace_list"), c => c.Served);
        Assert.Contains(workspaceId, resumed.Body);
        Assert.True((await McpRequests.CallToolAsync(host.BaseUrl, oauthToken, "workspace_list")).Served);
        Assert.NotEmpty((await api.Keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys);
        await stopLoad.CancelAsync();
        await Task.WhenAll(load);

        output.WriteLine("MCP statuses under load: " + string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{(int)s.Key}×{s.Value}")));
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable], statuses.Keys.Order());
        Assert.DoesNotContain("An unhandled exception has occurred", host.Output);
    }

    private static async Task<Dictionary<string, McpKey>> AllKeysAsync(McpKeyService.McpKeyServiceClient keys)
    {
        var all = new Dictionary<string, McpKey>();
        var request = new ListMcpKeysRequest { PageSize = 100 };
        do
        {
            var page = await keys.ListMcpKeysAsync(request);
            foreach (var key in page.McpKeys)
            {
                all.Add(key.Id, key);
            }

            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);

        return all;
    }

    /// <summary>Repeats <paramref name="call"/> until <paramref name="done"/> (bounded: 30 s).</summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> call, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var result = await call();
            if (done(result) || DateTime.UtcNow > deadline)
            {
                Assert.True(done(result), $"Still not there after 30 s: {result}");
                return result;
            }

            await Task.Delay(100);
        }
    }
}
