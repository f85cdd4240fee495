using System.Net;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using Perspective.Connectedapps.V1;
using Perspective.Identity.Seeding;

namespace Perspective.IntegrationTests.OAuth;

/// <summary>Ending an app's access: token revocation (RFC 7009), a revoked grant, and disconnecting the app in Connected Apps.</summary>
public sealed class RevocationTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task A_revoked_refresh_token_no_longer_refreshes()
    {
        var (oauth, _) = await OAuthTestClient.ForDemoUserAsync(factory);
        var (clientId, _, refresh) = await oauth.ConnectAsync();
        using var http = factory.CreateClient();

        using var revoked = await http.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = refresh,
            ["token_type_hint"] = "refresh_token",
            ["client_id"] = clientId,
        }));

        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal("invalid_grant", (await oauth.RefreshAsync(clientId, refresh)).Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_revoked_access_token_is_refused_on_its_next_request_while_the_grant_lives_on()
    {
        var (oauth, _) = await OAuthTestClient.ForDemoUserAsync(factory);
        var (clientId, accessToken, refresh) = await oauth.ConnectAsync();
        Assert.Equal(HttpStatusCode.OK, await McpTestClient.StatusAsync(factory, $"Bearer {accessToken}"));
        using var http = factory.CreateClient();

        using var revoked = await http.PostAsync("/connect/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = accessToken,
            ["token_type_hint"] = "access_token",
            ["client_id"] = clientId,
        }));

        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await McpTestClient.StatusAsync(factory, $"Bearer {accessToken}"));
        var refreshed = await oauth.RefreshAsync(clientId, refresh);
        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        Assert.Equal(HttpStatusCode.OK, await McpTestClient.StatusAsync(factory, $"Bearer {refreshed.Body.GetProperty("access_token").GetString()}"));
    }

    [Fact]
    public async Task A_token_whose_grant_was_revoked_is_refused_even_if_the_token_itself_was_not()
    {
        var (oauth, _) = await OAuthTestClient.ForDemoUserAsync(factory);
        var (clientId, accessToken, _) = await oauth.ConnectAsync();
        Assert.Equal(HttpStatusCode.OK, await McpTestClient.StatusAsync(factory, $"Bearer {accessToken}"));

        // Only the authorization: the token entry stays valid, so the grant check alone must refuse it.
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
            var authorizations = scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>();
            var applicationId = await applications.GetIdAsync((await applications.FindByClientIdAsync(clientId))!);
            await foreach (var authorization in authorizations.FindByApplicationIdAsync(applicationId!))
            {
                Assert.True(await authorizations.TryRevokeAsync(authorization));
            }
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await McpTestClient.StatusAsync(factory, $"Bearer {accessToken}"));
    }

    [Fact]
    public async Task Disconnecting_an_app_refuses_its_next_request_and_kills_its_refresh_token()
    {
        var (oauth, workspaces) = await OAuthTestClient.ForDemoUserAsync(factory);
        var (clientId, accessToken, refresh) = await oauth.ConnectAsync([workspaces["acme-research"]]);
        await using (var client = await McpTestClient.ConnectAsync(factory, accessToken))
        {
            await client.CallAsync("workspace_list");
        }

        var apps = new ConnectedAppService.ConnectedAppServiceClient(factory.CreateGrpcChannel(await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword)));
        var app = (await apps.ListConnectedAppsAsync(new ListConnectedAppsRequest())).ConnectedApps.Single(a => a.ClientId == clientId);
        Assert.Equal(("Test MCP client", ClientKind.Registered, "127.0.0.1"), (app.Name, app.ClientKind, app.RedirectHost));
        Assert.Equal(["Acme Research"], app.Workspaces.Select(w => w.Name));
        Assert.Equal(["mcp:read", "mcp:write", "offline_access"], app.Scopes.Order());
        Assert.NotNull(app.LastUsedTime);

        await apps.DisconnectConnectedAppAsync(new DisconnectConnectedAppRequest { ConnectedAppId = app.Id });

        using var http = factory.CreateClient();
        using var refused = await http.SendAsync(McpTestClient.ToolsListRequest($"Bearer {accessToken}"));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains("Reconnect the app", await refused.Content.ReadAsStringAsync());
        Assert.Equal("invalid_grant", (await oauth.RefreshAsync(clientId, refresh)).Body.GetProperty("error").GetString());
        Assert.DoesNotContain((await apps.ListConnectedAppsAsync(new ListConnectedAppsRequest())).ConnectedApps, a => a.Id == app.Id);
        var again = await Assert.ThrowsAsync<RpcException>(() => apps.DisconnectConnectedAppAsync(new DisconnectConnectedAppRequest { ConnectedAppId = app.Id }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task Another_users_app_cannot_be_seen_or_disconnected()
    {
        var (oauth, _) = await OAuthTestClient.ForDemoUserAsync(factory);
        var (clientId, accessToken, _) = await oauth.ConnectAsync();
        var demoApps = new ConnectedAppService.ConnectedAppServiceClient(factory.CreateGrpcChannel(await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword)));
        var appId = (await demoApps.ListConnectedAppsAsync(new ListConnectedAppsRequest())).ConnectedApps.Single(a => a.ClientId == clientId).Id;
        var sam = new ConnectedAppService.ConnectedAppServiceClient(factory.CreateGrpcChannel(await factory.SignInAsync(DemoSeed.SecondEmail, DemoSeed.SecondPassword)));

        var listed = await sam.ListConnectedAppsAsync(new ListConnectedAppsRequest());
        var error = await Assert.ThrowsAsync<RpcException>(() => sam.DisconnectConnectedAppAsync(new DisconnectConnectedAppRequest { ConnectedAppId = appId }).ResponseAsync);

        Assert.DoesNotContain(listed.ConnectedApps, a => a.Id == appId);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await McpTestClient.StatusAsync(factory, $"Bearer {accessToken}"));
    }
}
