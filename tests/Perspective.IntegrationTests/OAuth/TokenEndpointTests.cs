using System.Net;

namespace Perspective.IntegrationTests.OAuth;

/// <summary>The token endpoint: codes redeemed once with their PKCE verifier, refresh tokens that rotate, and no secret in the logs.</summary>
public sealed class TokenEndpointTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task A_code_works_once()
    {
        var (oauth, _) = await OAuthTestClient.ForDemoUserAsync(factory);
        var clientId = await oauth.RegisterPublicClientAsync();
        var code = await oauth.AuthorizeAsync(clientId);

        var first = await oauth.ExchangeAsync(clientId, code);
        var second = await oauth.ExchangeAsync(clientId, code);

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal("invalid_grant", second.Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_wrong_code_verifier_is_refused()
    {
        var (oauth, _) = await OAuthTestClient.ForDemoUserAsync(factory);
        var clientId = await oauth.RegisterPublicClientAsync();
        var code = await oauth.AuthorizeAsync(clientId);
        var impostor = new OAuthTestClient(factory, new CookieContainer());

        var result = await impostor.ExchangeAsync(clientId, code);

        Assert.Equal("invalid_grant", result.Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Refresh_tokens_rotate_and_a_reused_one_kills_the_grant()
    {
        var (oauth, _) = await OAuthTestClient.ForDemoUserAsync(factory);
        var (clientId, _, refresh) = await oauth.ConnectAsync();

        var rotated = await oauth.RefreshAsync(clientId, refresh);
        var newRefresh = rotated.Body.GetProperty("refresh_token").GetString()!;
        var reused = await oauth.RefreshAsync(clientId, refresh);
        var afterReuse = await oauth.RefreshAsync(clientId, newRefresh);

        Assert.Equal(HttpStatusCode.OK, rotated.Status);
        Assert.NotEqual(refresh, newRefresh);
        Assert.Equal("invalid_grant", reused.Body.GetProperty("error").GetString());
        Assert.Equal("invalid_grant", afterReuse.Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Codes_and_tokens_never_reach_the_logs()
    {
        var (oauth, _) = await OAuthTestClient.ForDemoUserAsync(factory);
        var clientId = await oauth.RegisterPublicClientAsync();
        var code = await oauth.AuthorizeAsync(clientId);
        var (_, tokens) = await oauth.ExchangeAsync(clientId, code);
        var refreshed = await oauth.RefreshAsync(clientId, tokens.GetProperty("refresh_token").GetString()!);

        string[] secrets =
        [
            code, oauth.Verifier, tokens.GetProperty("access_token").GetString()!, tokens.GetProperty("refresh_token").GetString()!,
            refreshed.Body.GetProperty("access_token").GetString()!,
        ];
        Assert.All(secrets, secret => Assert.DoesNotContain(factory.Logs.Lines, line => line.Contains(secret, StringComparison.Ordinal)));
    }
}
