using System.Net;
using Perspective.Accounts.V1;
using Perspective.Connectedapps.V1;
using Perspective.Identity.Seeding;

namespace Perspective.IntegrationTests.OAuth;

/// <summary>One connected app per app and user: consenting again updates the grant instead of adding one.</summary>
public sealed class OneGrantPerClientTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task Authorizing_the_same_app_again_updates_its_grant_with_the_new_workspaces()
    {
        var cookies = await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
        var workspaces = await WorkspacesAsync(cookies);
        var oauth = new OAuthTestClient(factory, cookies);
        var (clientId, firstAccessToken, _) = await oauth.ConnectAsync([workspaces["acme-research"]]);
        var first = await factory.GrantOfClientAsync(clientId);

        var (status, tokens) = await oauth.ExchangeAsync(clientId, await oauth.AuthorizeAsync(clientId, [workspaces["northwind-product"]]));

        Assert.Equal(HttpStatusCode.OK, status);
        var apps = new ConnectedAppService.ConnectedAppServiceClient(factory.CreateGrpcChannel(cookies));
        var app = Assert.Single((await apps.ListConnectedAppsAsync(new ListConnectedAppsRequest())).ConnectedApps, a => a.ClientId == clientId);
        Assert.Equal(["Northwind Product"], app.Workspaces.Select(w => w.Name));
        var grant = await factory.GrantOfClientAsync(clientId);
        Assert.Equal((first.Id, "valid"), (grant.Id, grant.Status));
        Assert.True(grant.ConnectTime > first.ConnectTime, "Consenting again is the grant's new connect time.");

        // Both the new token and the one from the first consent reach what the grant now allows.
        foreach (var accessToken in new[] { tokens.GetProperty("access_token").GetString()!, firstAccessToken })
        {
            await using var client = await McpTestClient.ConnectAsync(factory, accessToken);
            var listed = await client.CallAsync("workspace_list");
            Assert.Equal(["northwind-product"], listed.GetProperty("workspaces").EnumerateArray().Select(w => w.GetProperty("slug").GetString()));
        }
    }

    [Fact]
    public async Task Two_consents_at_once_for_the_same_app_make_one_grant()
    {
        var cookies = await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
        var workspaces = await WorkspacesAsync(cookies);
        var oauth = new OAuthTestClient(factory, cookies);
        for (var trial = 0; trial < 3; trial++)
        {
            var clientId = await oauth.RegisterPublicClientAsync();
            using var firstPage = await oauth.StartAsync(oauth.AuthorizeParameters(clientId));
            using var secondPage = await oauth.StartAsync(oauth.AuthorizeParameters(clientId));

            var redirects = await Task.WhenAll(
                Task.Run(() => oauth.ConsentAsync(firstPage, "allow", [workspaces["acme-research"]])),
                Task.Run(() => oauth.ConsentAsync(secondPage, "allow", [workspaces["northwind-product"]])));

            var codes = redirects.Select(r => OAuthTestClient.RedirectQuery(r)["code"]).ToList();
            var grant = await factory.GrantOfClientAsync(clientId);
            Assert.Equal("valid", grant.Status);
            foreach (var code in codes)
            {
                Assert.Equal(HttpStatusCode.OK, (await oauth.ExchangeAsync(clientId, code)).Status);
            }

            var apps = new ConnectedAppService.ConnectedAppServiceClient(factory.CreateGrpcChannel(cookies));
            var app = Assert.Single((await apps.ListConnectedAppsAsync(new ListConnectedAppsRequest())).ConnectedApps, a => a.ClientId == clientId);
            Assert.Single(app.Workspaces);
            foreach (var redirect in redirects)
            {
                redirect.Dispose();
            }
        }
    }

    private async Task<Dictionary<string, string>> WorkspacesAsync(CookieContainer cookies) =>
        (await new AccountService.AccountServiceClient(factory.CreateGrpcChannel(cookies)).ListMyWorkspacesAsync(new ListMyWorkspacesRequest()))
            .Workspaces.ToDictionary(w => w.Slug, w => w.Id);
}
