using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Perspective.Accounts.V1;
using Perspective.Identity.Seeding;
using Perspective.Keys.V1;

namespace Perspective.IntegrationTests.Operations;

/// <summary>Many writers at once beside MCP traffic: on SQLite (the default) as on PostgreSQL, none of them fails.</summary>
public sealed class ConcurrentWriteTests
{
    private const int Writers = 32;
    private const int KeysPerWriter = 5;

    [Fact]
    public async Task Thirty_two_concurrent_writers_beside_mcp_load_never_fail_with_database_is_locked()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("perspective-writers-").FullName;
        try
        {
            using var host = PlatformFactory.OnData(dataDirectory, builder => builder.UseSetting("Keys:MaxKeysPerUser", "1000"));
            var cookies = await host.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
            var keys = new McpKeyService.McpKeyServiceClient(host.CreateGrpcChannel(cookies));
            var accounts = new AccountService.AccountServiceClient(host.CreateGrpcChannel(cookies));
            var workspaceId = (await accounts.ListMyWorkspacesAsync(new ListMyWorkspacesRequest())).Workspaces[0].Id;
            var loadToken = (await keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Load", WorkspaceIds = { workspaceId }, Access = McpKeyAccess.ReadWrite })).Token;

            using var writing = new CancellationTokenSource();
            var toolCalls = new ConcurrentBag<bool>();
            var load = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                await using var client = await McpTestClient.ConnectAsync(host, loadToken);
                while (!writing.IsCancellationRequested)
                {
                    var result = await client.CallToolAsync("workspace_list");
                    toolCalls.Add(result.IsError != true);
                }
            })).ToList();

            // Every writer creates keys and deletes every other one: inserts and deletes in many transactions at once.
            var writers = Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
            {
                for (var i = 0; i < KeysPerWriter; i++)
                {
                    var created = await keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = $"Writer {writer} key {i}", WorkspaceIds = { workspaceId }, Access = McpKeyAccess.ReadWrite });
                    if (i % 2 == 1)
                    {
                        await keys.DeleteMcpKeyAsync(new DeleteMcpKeyRequest { KeyId = created.McpKey.Id });
                    }
                }
            })).ToList();

            await Task.WhenAll(writers);
            await writing.CancelAsync();
            await Task.WhenAll(load);

            var kept = Writers * (KeysPerWriter - (KeysPerWriter / 2));
            Assert.Equal(kept + 1, (await keys.ListMcpKeysAsync(new ListMcpKeysRequest { PageSize = 100 })).McpKeys.Count);
            Assert.NotEmpty(toolCalls);
            Assert.All(toolCalls, Assert.True);
            Assert.DoesNotContain(host.Logs.Lines, line => line.Contains("database is locked", StringComparison.OrdinalIgnoreCase));
        }
        finally
        {
            TestDatabase.Delete(dataDirectory);
        }
    }
}
