using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Perspective.Connectedapps.V1;
using Perspective.Identity.OAuth;
using Perspective.Identity.Seeding;

namespace Perspective.IntegrationTests.OAuth;

/// <summary>A refresh token is redeemed once: simultaneous or later reuse revokes the whole grant, with the reason recorded.</summary>
public sealed class RefreshTokenReuseTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    private const int Redemptions = 10;

    [Fact]
    public async Task Of_ten_simultaneous_redemptions_exactly_one_succeeds_and_then_the_grant_is_revoked()
    {
        var oauth = new OAuthTestClient(factory, await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword));
        for (var trial = 0; trial < 5; trial++)
        {
            var (clientId, accessToken, refresh) = await oauth.ConnectAsync();
            Assert.Equal(HttpStatusCode.OK, await McpTestClient.StatusAsync(factory, $"Bearer {accessToken}"));

            var results = await Task.WhenAll(Enumerable.Range(0, Redemptions).Select(_ => Task.Run(() => oauth.RefreshAsync(clientId, refresh))));

            var winner = Assert.Single(results, r => r.Status == HttpStatusCode.OK);
            Assert.All(results.Where(r => r.Status != HttpStatusCode.OK), r => Assert.Equal("invalid_grant", r.Body.GetProperty("error").GetString()));
            await AssertRevokedForReuseAsync(factory, clientId, accessToken, winner.Body.GetProperty("access_token").GetString()!);
            Assert.Equal("invalid_grant", (await oauth.RefreshAsync(clientId, winner.Body.GetProperty("refresh_token").GetString()!)).Body.GetProperty("error").GetString());
        }
    }

    [Fact]
    public async Task Simultaneous_redemptions_through_two_hosts_on_one_database_let_exactly_one_succeed()
    {
        using var second = PlatformFactory.OnData(factory.DataDirectory);
        _ = second.Server;
        var oauth = new OAuthTestClient(factory, await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword));
        var onSecond = new OAuthTestClient(second, new CookieContainer());
        for (var trial = 0; trial < 3; trial++)
        {
            var (clientId, accessToken, refresh) = await oauth.ConnectAsync();

            var results = await Task.WhenAll(Enumerable.Range(0, Redemptions)
                .Select(i => Task.Run(() => (i % 2 == 0 ? oauth : onSecond).RefreshAsync(clientId, refresh))));

            var winner = Assert.Single(results, r => r.Status == HttpStatusCode.OK);
            await AssertRevokedForReuseAsync(factory, clientId, accessToken, winner.Body.GetProperty("access_token").GetString()!);
            Assert.Equal(HttpStatusCode.Unauthorized, await McpTestClient.StatusAsync(second, $"Bearer {winner.Body.GetProperty("access_token").GetString()}"));
        }
    }

    [Fact]
    public async Task A_refresh_token_presented_after_it_was_used_revokes_the_grant()
    {
        var cookies = await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
        var oauth = new OAuthTestClient(factory, cookies);
        var (clientId, accessToken, refresh) = await oauth.ConnectAsync();
        var logged = factory.Logs.Lines.Count;
        var rotated = await oauth.RefreshAsync(clientId, refresh);
        Assert.Equal(HttpStatusCode.OK, rotated.Status);
        Assert.DoesNotContain(factory.Logs.Lines.Skip(logged), line => line.StartsWith("Warning", StringComparison.Ordinal) || line.StartsWith("Error", StringComparison.Ordinal));
        var current = rotated.Body.GetProperty("access_token").GetString()!;
        Assert.Equal(HttpStatusCode.OK, await McpTestClient.StatusAsync(factory, $"Bearer {current}"));

        var reused = await oauth.RefreshAsync(clientId, refresh);

        Assert.Equal("invalid_grant", reused.Body.GetProperty("error").GetString());
        await AssertRevokedForReuseAsync(factory, clientId, accessToken, current);
        Assert.Equal("invalid_grant", (await oauth.RefreshAsync(clientId, rotated.Body.GetProperty("refresh_token").GetString()!)).Body.GetProperty("error").GetString());
        var apps = new ConnectedAppService.ConnectedAppServiceClient(factory.CreateGrpcChannel(cookies));
        Assert.DoesNotContain((await apps.ListConnectedAppsAsync(new ListConnectedAppsRequest())).ConnectedApps, a => a.ClientId == clientId);
    }

    [Fact]
    public async Task Disconnecting_records_the_user_as_the_reason()
    {
        var cookies = await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
        var (clientId, _, _) = await new OAuthTestClient(factory, cookies).ConnectAsync();
        var apps = new ConnectedAppService.ConnectedAppServiceClient(factory.CreateGrpcChannel(cookies));
        var app = (await apps.ListConnectedAppsAsync(new ListConnectedAppsRequest())).ConnectedApps.Single(a => a.ClientId == clientId);
        var before = DateTime.UtcNow;

        await apps.DisconnectConnectedAppAsync(new DisconnectConnectedAppRequest { ConnectedAppId = app.Id });

        var grant = await factory.GrantOfClientAsync(clientId);
        Assert.Equal(("revoked", GrantRevocationReasons.User, app.Id), (grant.Status, grant.Revocation?.Reason, grant.Revocation?.AuthorizationId));
        Assert.InRange(grant.Revocation!.RevokeTime, before.AddSeconds(-1), DateTime.UtcNow.AddSeconds(1));
        Assert.All(grant.TokenStatuses, s => Assert.Equal("revoked", s));
    }

    /// <summary>The grant is revoked for reuse, every token of it too, and its access tokens are refused by /mcp at once.</summary>
    private static async Task AssertRevokedForReuseAsync(WebApplicationFactory<Program> host, string clientId, params string[] accessTokens)
    {
        var grant = await host.GrantOfClientAsync(clientId);
        Assert.Equal("revoked", grant.Status);
        Assert.Equal(GrantRevocationReasons.RefreshTokenReuse, grant.Revocation?.Reason);
        Assert.InRange(grant.Revocation!.RevokeTime, DateTime.UtcNow.AddMinutes(-1), DateTime.UtcNow.AddSeconds(1));
        Assert.All(grant.TokenStatuses, s => Assert.Equal("revoked", s));
        foreach (var token in accessTokens)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await McpTestClient.StatusAsync(host, $"Bearer {token}"));
        }
    }
}
