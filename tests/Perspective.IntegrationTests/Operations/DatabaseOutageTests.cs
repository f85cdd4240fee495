using System.Data.Common;
using System.Net;
using System.Text.Json;
using Grpc.Core;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Perspective.Accounts.V1;
using Perspective.Identity.Seeding;
using Perspective.Keys.Storage;
using Perspective.Keys.Storage.Postgres;
using Perspective.Keys.V1;
using Perspective.McpHost.Content;
using Perspective.McpHost.Content.Postgres;
using Perspective.Platform.Storage;

namespace Perspective.IntegrationTests.Operations;

/// <summary>
/// What each kind of caller is told while the database cannot serve (simulated per module by an
/// interceptor failing every command with SQLite's "database is locked"), and that nothing sticks
/// once it can again. The real outage (PostgreSQL stopped) is in the end-to-end fault tests.
/// </summary>
public sealed class DatabaseOutageTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task Mcp_and_grpc_web_callers_get_503_and_unavailable_with_a_message_then_service_resumes()
    {
        var outage = new SimulatedOutage();
        using var host = factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => outage.AddTo<KeysDataContext, PostgresKeysDataContext>(services)));
        var (token, keys) = await DemoKeyAsync(host);

        outage.Failing = true;
        using var http = host.CreateClient();
        using (var response = await http.SendAsync(McpTestClient.ToolsListRequest($"Bearer {token}")))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal(TimeSpan.FromSeconds(DatabaseOutage.RetryAfterSeconds), response.Headers.RetryAfter?.Delta);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(DatabaseOutage.Message, problem.GetProperty("detail").GetString());
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => keys.ListMcpKeysAsync(new ListMcpKeysRequest()).ResponseAsync);
        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        Assert.Equal(DatabaseOutage.Message, error.Status.Detail);
        Assert.DoesNotContain(factory.Logs.Lines, line => line.Contains(token[4..36], StringComparison.Ordinal));

        outage.Failing = false;
        Assert.Equal(HttpStatusCode.OK, await McpTestClient.StatusAsync(host, $"Bearer {token}"));
        Assert.NotEmpty((await keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys);
    }

    [Fact]
    public async Task A_tool_that_loses_the_database_mid_call_says_so_in_its_result()
    {
        var outage = new SimulatedOutage();
        using var host = factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => outage.AddTo<ContentDataContext, PostgresContentDataContext>(services)));
        var (token, _) = await DemoKeyAsync(host);
        await using var client = await McpTestClient.ConnectAsync(host, token);
        var workspaceId = (await client.CallAsync("workspace_list")).GetProperty("workspaces")[0].GetProperty("id").GetString();

        outage.Failing = true;
        var failure = await client.CallFailingAsync("perspective_list", new { workspace_id = workspaceId });
        outage.Failing = false;

        Assert.Contains(DatabaseOutage.Message, failure);
        await client.CallAsync("perspective_list", new { workspace_id = workspaceId });
    }

    private static async Task<(string Token, McpKeyService.McpKeyServiceClient Keys)> DemoKeyAsync(Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> host)
    {
        var cookies = await host.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
        var keys = new McpKeyService.McpKeyServiceClient(host.CreateGrpcWebChannel(cookies));
        var accounts = new AccountService.AccountServiceClient(host.CreateGrpcWebChannel(cookies));
        var workspaceId = (await accounts.ListMyWorkspacesAsync(new ListMyWorkspacesRequest())).Workspaces[0].Id;
        var created = await keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = $"Outage {Guid.NewGuid():N}"[..20], WorkspaceIds = { workspaceId }, Access = McpKeyAccess.ReadWrite });
        return (created.Token, keys);
    }

    /// <summary>Fails every command of one module's context while <see cref="Failing"/> is set.</summary>
    private sealed class SimulatedOutage : DbCommandInterceptor
    {
        public volatile bool Failing;

        /// <summary>Options belong to the registered implementation: the context itself, or its PostgreSQL subclass.</summary>
        public void AddTo<TContext, TPostgresContext>(IServiceCollection services)
            where TContext : DbContext
            where TPostgresContext : TContext
        {
            if (TestDatabase.Provider == DatabaseProvider.Postgres)
            {
                services.ConfigureDbContext<TPostgresContext>(options => options.AddInterceptors(this));
            }
            else
            {
                services.ConfigureDbContext<TContext>(options => options.AddInterceptors(this));
            }
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
            Failing ? throw new SqliteException("database is locked", SQLitePCL.raw.SQLITE_BUSY) : ValueTask.FromResult(result);
    }
}
