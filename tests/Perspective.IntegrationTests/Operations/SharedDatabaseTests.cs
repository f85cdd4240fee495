using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Perspective.Accounts.V1;
using Perspective.Identity.Seeding;
using Perspective.Keys.V1;

namespace Perspective.IntegrationTests.Operations;

/// <summary>Two hosts alive at once on one database, as behind a load balancer.</summary>
public sealed class SharedDatabaseTests
{
    [Fact]
    public async Task Hosts_flushing_last_use_in_any_order_never_move_it_backwards()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("perspective-shared-").FullName;
        try
        {
            var now = DateTimeOffset.UtcNow;
            var behind = PlatformFactory.OnData(dataDirectory, HostAt(now.AddMinutes(-5)));
            var ahead = PlatformFactory.OnData(dataDirectory, HostAt(now.AddMinutes(-1)));
            var cookies = await behind.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
            var keys = new McpKeyService.McpKeyServiceClient(behind.CreateGrpcChannel(cookies));
            var workspaceId = (await new AccountService.AccountServiceClient(behind.CreateGrpcChannel(cookies))
                .ListMyWorkspacesAsync(new ListMyWorkspacesRequest())).Workspaces[0].Id;
            var created = await keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Both hosts", WorkspaceIds = { workspaceId }, Access = McpKeyAccess.ReadWrite });

            foreach (var host in new[] { behind, ahead })
            {
                await using var client = await McpTestClient.ConnectAsync(host, created.Token);
                await client.CallAsync("workspace_list");
            }

            // The host with the later use writes first; the one with the earlier use must not overwrite it.
            ahead.Dispose();
            behind.Dispose();

            using var reader = PlatformFactory.OnData(dataDirectory);
            Assert.Equal(TruncateToMinute(now.AddMinutes(-1).UtcDateTime), await reader.StoredLastUseAsync(created.McpKey.Id));
        }
        finally
        {
            TestDatabase.Delete(dataDirectory);
        }
    }

    private static Action<IWebHostBuilder> HostAt(DateTimeOffset time) => builder =>
    {
        builder.UseSetting("Keys:LastUsed:FlushInterval", "01:00:00");
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(new FixedClock(time)));
    };

    private static DateTime TruncateToMinute(DateTime time) =>
        new(time.Year, time.Month, time.Day, time.Hour, time.Minute, 0, DateTimeKind.Utc);

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
