using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Perspective.Connectedapps.V1;
using Perspective.Identity.Seeding;

namespace Perspective.IntegrationTests.OAuth;

/// <summary>Recently disconnected: the caller's apps that stopped working in the last 30 days, with when and why.</summary>
public sealed class DisconnectedAppsTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task Apps_the_user_disconnects_are_listed_newest_first_with_the_user_as_the_reason()
    {
        var cookies = await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
        var oauth = new OAuthTestClient(factory, cookies);
        var apps = new ConnectedAppService.ConnectedAppServiceClient(factory.CreateGrpcChannel(cookies));
        var (first, _, _) = await oauth.ConnectAsync();
        var (second, _, _) = await oauth.ConnectAsync();
        var listed = (await apps.ListConnectedAppsAsync(new ListConnectedAppsRequest { PageSize = 100 })).ConnectedApps;
        var connected = listed.Single(a => a.ClientId == first);
        var before = DateTime.UtcNow.AddSeconds(-1);

        await apps.DisconnectConnectedAppAsync(new DisconnectConnectedAppRequest { ConnectedAppId = connected.Id });
        await apps.DisconnectConnectedAppAsync(new DisconnectConnectedAppRequest { ConnectedAppId = listed.Single(a => a.ClientId == second).Id });

        var all = await AllDisconnectedAsync(apps, pageSize: 1);
        var firstGone = all.Single(a => a.ClientId == first);
        Assert.True(all.FindIndex(a => a.ClientId == second) < all.FindIndex(a => a.ClientId == first), "Newest disconnection first");
        Assert.Equal(DisconnectReason.User, firstGone.Reason);
        Assert.Equal(("Test MCP client", ClientKind.Registered, "127.0.0.1", ""), (firstGone.Name, firstGone.ClientKind, firstGone.RedirectHost, firstGone.VerifiedOrigin));
        Assert.Equal(connected.ConnectTime, firstGone.ConnectTime);
        Assert.InRange(firstGone.DisconnectTime.ToDateTime(), before, DateTime.UtcNow.AddSeconds(1));
        Assert.Equal("", connected.VerifiedOrigin);
    }

    [Fact]
    public async Task An_app_revoked_for_refresh_token_reuse_is_listed_with_that_reason()
    {
        var cookies = await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
        var oauth = new OAuthTestClient(factory, cookies);
        var (clientId, _, refresh) = await oauth.ConnectAsync();
        Assert.Equal(HttpStatusCode.OK, (await oauth.RefreshAsync(clientId, refresh)).Status);

        Assert.Equal("invalid_grant", (await oauth.RefreshAsync(clientId, refresh)).Body.GetProperty("error").GetString());

        var apps = new ConnectedAppService.ConnectedAppServiceClient(factory.CreateGrpcChannel(cookies));
        Assert.Equal(DisconnectReason.RefreshTokenReuse, (await AllDisconnectedAsync(apps)).Single(a => a.ClientId == clientId).Reason);
    }

    [Fact]
    public async Task Disconnections_older_than_thirty_days_are_not_listed_and_lapsed_apps_are()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        using var host = factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock)));
        var oauth = new OAuthTestClient(host, await host.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword));
        var (old, _, _) = await oauth.ConnectAsync();
        var (unused, _, _) = await oauth.ConnectAsync();
        var apps = await AppsAsync(host);
        var oldApp = (await apps.ListConnectedAppsAsync(new ListConnectedAppsRequest { PageSize = 100 })).ConnectedApps.Single(a => a.ClientId == old);
        await apps.DisconnectConnectedAppAsync(new DisconnectConnectedAppRequest { ConnectedAppId = oldApp.Id });

        clock.Advance(TimeSpan.FromDays(29));
        Assert.Contains(await AllDisconnectedAsync(await AppsAsync(host)), a => a.ClientId == old);
        clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));

        var listed = await AllDisconnectedAsync(await AppsAsync(host));
        Assert.DoesNotContain(listed, a => a.ClientId == old);
        Assert.Equal(DisconnectReason.Lapsed, listed.Single(a => a.ClientId == unused).Reason);
    }

    [Fact]
    public async Task Another_users_disconnected_apps_are_never_listed()
    {
        var cookies = await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
        var (clientId, _, _) = await new OAuthTestClient(factory, cookies).ConnectAsync();
        var demoApps = new ConnectedAppService.ConnectedAppServiceClient(factory.CreateGrpcChannel(cookies));
        var app = (await demoApps.ListConnectedAppsAsync(new ListConnectedAppsRequest { PageSize = 100 })).ConnectedApps.Single(a => a.ClientId == clientId);
        await demoApps.DisconnectConnectedAppAsync(new DisconnectConnectedAppRequest { ConnectedAppId = app.Id });
        Assert.Contains(await AllDisconnectedAsync(demoApps), a => a.ClientId == clientId);
        const string password = "Another-user-password-1";
        await factory.CreateUserAsync("recently-disconnected-other@example.com", password);
        var other = new ConnectedAppService.ConnectedAppServiceClient(factory.CreateGrpcChannel(
            await factory.SignInAsync("recently-disconnected-other@example.com", password)));

        var listed = await AllDisconnectedAsync(other);

        Assert.Empty(listed);
    }

    [Fact]
    public async Task A_page_token_of_another_list_and_a_negative_page_size_are_refused()
    {
        var cookies = await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
        var oauth = new OAuthTestClient(factory, cookies);
        await oauth.ConnectAsync();
        await oauth.ConnectAsync();
        var apps = new ConnectedAppService.ConnectedAppServiceClient(factory.CreateGrpcChannel(cookies));
        var connectedToken = (await apps.ListConnectedAppsAsync(new ListConnectedAppsRequest { PageSize = 1 })).NextPageToken;
        Assert.NotEmpty(connectedToken);

        var wrongList = await Assert.ThrowsAsync<RpcException>(() => apps.ListDisconnectedAppsAsync(new ListDisconnectedAppsRequest { PageToken = connectedToken }).ResponseAsync);
        var negative = await Assert.ThrowsAsync<RpcException>(() => apps.ListDisconnectedAppsAsync(new ListDisconnectedAppsRequest { PageSize = -1 }).ResponseAsync);

        Assert.Equal((StatusCode.InvalidArgument, StatusCode.InvalidArgument), (wrongList.StatusCode, negative.StatusCode));
    }

    /// <summary>Walks every page; each page's token must lead to the next.</summary>
    private static async Task<List<DisconnectedApp>> AllDisconnectedAsync(ConnectedAppService.ConnectedAppServiceClient apps, int pageSize = 100)
    {
        var all = new List<DisconnectedApp>();
        var request = new ListDisconnectedAppsRequest { PageSize = pageSize };
        for (var page = 0; page < 1000; page++)
        {
            var response = await apps.ListDisconnectedAppsAsync(request);
            Assert.InRange(response.DisconnectedApps.Count, 0, pageSize);
            all.AddRange(response.DisconnectedApps);
            if (string.IsNullOrEmpty(response.NextPageToken))
            {
                return all;
            }

            request.PageToken = response.NextPageToken;
        }

        throw new InvalidOperationException("Paging did not end.");
    }

    /// <summary>Signs in anew: the session may be older than the clock's jump.</summary>
    private static async Task<ConnectedAppService.ConnectedAppServiceClient> AppsAsync(WebApplicationFactory<Program> host) =>
        new(host.CreateGrpcChannel(await host.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword)));
}
