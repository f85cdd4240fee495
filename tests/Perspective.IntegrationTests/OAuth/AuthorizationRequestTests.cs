using System.Net;

namespace Perspective.IntegrationTests.OAuth;

/// <summary>The authorization request before consent: sign-in first, <c>prompt=none</c>, PKCE, redirect URIs, the resource, and the issuer in the response.</summary>
public sealed class AuthorizationRequestTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task A_signed_out_user_is_sent_to_sign_in_first()
    {
        var oauth = new OAuthTestClient(factory, new CookieContainer());
        var clientId = await oauth.RegisterPublicClientAsync();

        using var response = await oauth.StartAsync(oauth.AuthorizeParameters(clientId));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/login?ReturnUrl=%2Fconnect%2Fauthorize", response.Headers.Location?.PathAndQuery);
    }

    [Fact]
    public async Task Prompt_none_without_a_session_answers_login_required()
    {
        var oauth = new OAuthTestClient(factory, new CookieContainer());
        var clientId = await oauth.RegisterPublicClientAsync();
        var parameters = oauth.AuthorizeParameters(clientId);
        parameters["prompt"] = "none";

        using var response = await oauth.StartAsync(parameters);

        Assert.Equal("login_required", OAuthTestClient.RedirectQuery(response)["error"]);
    }

    [Fact]
    public async Task Prompt_none_before_consent_answers_consent_required()
    {
        var (oauth, _) = await OAuthTestClient.ForDemoUserAsync(factory);
        var clientId = await oauth.RegisterPublicClientAsync();
        var parameters = oauth.AuthorizeParameters(clientId);
        parameters["prompt"] = "none";

        using var response = await oauth.StartAsync(parameters);

        Assert.Equal("consent_required", OAuthTestClient.RedirectQuery(response)["error"]);
    }

    [Theory]
    [InlineData(null, "code_challenge")]
    [InlineData("plain", "code_challenge_method")]
    public async Task Pkce_is_required_and_only_s256(string? method, string missingOrWrong)
    {
        var (oauth, _) = await OAuthTestClient.ForDemoUserAsync(factory);
        var clientId = await oauth.RegisterPublicClientAsync();
        var parameters = oauth.AuthorizeParameters(clientId);
        if (method is null)
        {
            parameters.Remove("code_challenge");
            parameters.Remove("code_challenge_method");
        }
        else
        {
            parameters["code_challenge_method"] = method;
        }

        using var response = await oauth.StartAsync(parameters);

        var (error, description) = await OAuthTestClient.ErrorAsync(response);
        Assert.Equal("invalid_request", error);
        Assert.Contains(missingOrWrong, description);
    }

    [Fact]
    public async Task A_redirect_uri_that_was_not_registered_is_refused_without_redirecting()
    {
        var (oauth, _) = await OAuthTestClient.ForDemoUserAsync(factory);
        var clientId = await oauth.RegisterPublicClientAsync();
        var parameters = oauth.AuthorizeParameters(clientId);
        parameters["redirect_uri"] = "https://attacker.example/callback";

        using var response = await oauth.StartAsync(parameters);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("redirect_uri", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_loopback_client_may_come_back_on_any_port()
    {
        var (oauth, _) = await OAuthTestClient.ForDemoUserAsync(factory);
        var clientId = await oauth.RegisterPublicClientAsync();
        var parameters = oauth.AuthorizeParameters(clientId, redirect: "http://127.0.0.1:51999/callback");

        using var page = await oauth.StartAsync(parameters);

        Assert.True(page.StatusCode == HttpStatusCode.OK, await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unknown_resource_is_an_invalid_target()
    {
        var (oauth, _) = await OAuthTestClient.ForDemoUserAsync(factory);
        var clientId = await oauth.RegisterPublicClientAsync();
        var parameters = oauth.AuthorizeParameters(clientId);
        parameters["resource"] = "https://elsewhere.example/mcp";

        using var response = await oauth.StartAsync(parameters);

        Assert.Equal("invalid_target", (await OAuthTestClient.ErrorAsync(response)).Error);
    }

    [Fact]
    public async Task The_authorization_response_names_the_issuer()
    {
        var (oauth, _) = await OAuthTestClient.ForDemoUserAsync(factory);
        var clientId = await oauth.RegisterPublicClientAsync();

        using var page = await oauth.StartAsync(oauth.AuthorizeParameters(clientId));
        using var redirect = await oauth.ConsentAsync(page, "allow");

        Assert.Equal($"{PlatformFactory.PublicBaseUrl}/", OAuthTestClient.RedirectQuery(redirect)["iss"]);
    }
}
