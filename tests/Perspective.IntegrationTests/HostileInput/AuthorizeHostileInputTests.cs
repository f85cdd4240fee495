using System.Net;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using Perspective.Identity.OAuth;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Perspective.IntegrationTests.HostileInput;

/// <summary>
/// The authorization endpoint under bad parameters (RFC 6749 §4.1.2.1): once the client and its
/// redirect URI are known, every error goes back to the client; otherwise it never leaves the server.
/// </summary>
public sealed class AuthorizeHostileInputTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    private const string State = "state-<script>&\"'";

    /// <summary>A parameter set to a bad value (null removes it) and the RFC 6749 / 8707 error code it earns.</summary>
    public static TheoryData<string, string?, string> BadParameters => new()
    {
        { Parameters.ResponseType, null, Errors.InvalidRequest },
        { Parameters.ResponseType, "token", Errors.UnsupportedResponseType },
        { Parameters.ResponseType, "code id_token", Errors.UnsupportedResponseType },
        { Parameters.ResponseType, "bogus", Errors.UnsupportedResponseType },
        { Parameters.ResponseMode, "form_post", Errors.InvalidRequest },
        { Parameters.ResponseMode, "fragment", Errors.InvalidRequest },
        { Parameters.ResponseMode, "bogus", Errors.InvalidRequest },
        { Parameters.CodeChallenge, null, Errors.InvalidRequest },
        { Parameters.CodeChallengeMethod, null, Errors.InvalidRequest },
        { Parameters.CodeChallengeMethod, "plain", Errors.InvalidRequest },
        { Parameters.CodeChallengeMethod, "S512", Errors.InvalidRequest },
        // Unknown scopes are ignored, not refused (ReadOrWriteConsentTests); known ones the client may not have are refused.
        { Parameters.Scope, "mcp:read management", Errors.InvalidScope },
        { Parameters.Scope, "mcp admin", Errors.InvalidScope },
        { Parameters.Scope, "management", Errors.InvalidScope },
        { Parameters.Resource, "https://elsewhere.example/mcp", Errors.InvalidTarget },
        { Parameters.Resource, OAuthScopes.ManagementResource, Errors.InvalidTarget },
        { Parameters.Resource, "/mcp", Errors.InvalidTarget },
        { Parameters.Resource, PlatformFactory.PublicBaseUrl + "/mcp#fragment", Errors.InvalidTarget },
        { Parameters.Prompt, "bogus", Errors.InvalidRequest },
        { Parameters.Prompt, "none login", Errors.InvalidRequest },
        { Parameters.Request, "eyJhbGciOiJub25lIn0.e30.", Errors.RequestNotSupported },
    };

    /// <summary>code_challenge values that are not BASE64URL(SHA-256(verifier)): 43 base64url characters (RFC 7636 §4.2).</summary>
    public static TheoryData<string> MalformedChallenges => new()
    {
        "",
        new string('a', 42),
        new string('a', 44),
        new string('a', 128),
        new string('a', 129),
        new string('a', 42) + "+",
        new string('a', 42) + "/",
        new string('a', 42) + "=",
        new string('a', 42) + "~",
        new string('a', 42) + ".",
        new string('a', 42) + "é",
        // NUL is refused as the request is read, before the client is known (NulTextTests).
        new string('a', 21) + " " + new string('a', 21),
    };

    [Theory]
    [MemberData(nameof(BadParameters))]
    public async Task A_bad_parameter_from_a_known_client_goes_back_to_its_redirect_uri(string name, string? value, string error)
    {
        var oauth = Anonymous();
        var parameters = AuthorizeRequest(oauth, await oauth.RegisterPublicClientAsync());
        Set(parameters, name, value);

        using var response = await oauth.StartAsync(parameters);

        await AssertErrorRedirectAsync(response, OAuthTestClient.Redirect, error);
    }

    [Theory]
    [MemberData(nameof(MalformedChallenges))]
    public async Task A_malformed_code_challenge_is_refused_at_the_authorization_endpoint(string challenge)
    {
        var oauth = Anonymous();
        var parameters = AuthorizeRequest(oauth, await oauth.RegisterPublicClientAsync());
        parameters[Parameters.CodeChallenge] = challenge;

        using var response = await oauth.StartAsync(parameters);

        var query = await AssertErrorRedirectAsync(response, OAuthTestClient.Redirect, Errors.InvalidRequest);
        Assert.Contains(Parameters.CodeChallenge, query["error_description"]);
    }

    [Fact]
    public async Task The_error_redirect_keeps_the_query_the_redirect_uri_was_registered_with()
    {
        const string redirect = "https://app.example/callback?tenant=a%20b&x=1";
        var oauth = Anonymous();
        var parameters = AuthorizeRequest(oauth, await oauth.RegisterPublicClientAsync(redirect: redirect), redirect);
        parameters[Parameters.ResponseType] = "token";

        using var response = await oauth.StartAsync(parameters);

        var query = await AssertErrorRedirectAsync(response, "https://app.example/callback", Errors.UnsupportedResponseType);
        Assert.Equal(("a b", "1"), (query["tenant"], query["x"]));
    }

    [Fact]
    public async Task A_loopback_client_gets_its_errors_on_the_port_it_listens_on()
    {
        var oauth = Anonymous();
        var parameters = AuthorizeRequest(oauth, await oauth.RegisterPublicClientAsync(), "http://127.0.0.1:51999/callback");
        parameters[Parameters.CodeChallengeMethod] = "plain";

        using var response = await oauth.StartAsync(parameters);

        await AssertErrorRedirectAsync(response, "http://127.0.0.1:51999/callback", Errors.InvalidRequest);
    }

    [Fact]
    public async Task Without_a_state_the_error_redirect_carries_none()
    {
        var oauth = Anonymous();
        var parameters = AuthorizeRequest(oauth, await oauth.RegisterPublicClientAsync());
        parameters.Remove(Parameters.State);
        parameters[Parameters.ResponseType] = "token";

        using var response = await oauth.StartAsync(parameters);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.False(QueryHelpers.ParseQuery(response.Headers.Location!.Query).ContainsKey(Parameters.State));
    }

    /// <summary>Requests whose client or redirect URI is not established, with another error on top that must not win a redirect.</summary>
    public static TheoryData<string, string?, string?> UntrustedRedirects => new()
    {
        { Parameters.ClientId, "pcl_00000000000000000000000000000000", null },
        { Parameters.ClientId, null, null },
        { Parameters.ClientId, "", null },
        { Parameters.ClientId, "pcl_00000000000000000000000000000000", "token" },
        { Parameters.RedirectUri, "https://attacker.example/callback", null },
        { Parameters.RedirectUri, "https://attacker.example/callback", "token" },
        { Parameters.RedirectUri, null, "token" },
        { Parameters.RedirectUri, "", "token" },
        { Parameters.RedirectUri, "/callback", "token" },
        { Parameters.RedirectUri, OAuthTestClient.Redirect + "#fragment", "token" },
        { Parameters.RedirectUri, "http://127.0.0.1:43117/other", "token" },
        { Parameters.RedirectUri, "http://localhost:43117/callback", "token" },
        { Parameters.RedirectUri, "javascript:alert(1)", "token" },
    };

    [Theory]
    [MemberData(nameof(UntrustedRedirects))]
    public async Task Without_a_known_client_and_its_registered_redirect_uri_the_error_stays_on_the_server(
        string name, string? value, string? responseType)
    {
        var oauth = Anonymous();
        var parameters = AuthorizeRequest(oauth, await oauth.RegisterPublicClientAsync());
        Set(parameters, name, value);
        if (responseType is not null)
        {
            parameters[Parameters.ResponseType] = responseType;
        }

        using var response = await oauth.StartAsync(parameters);

        await AssertErrorPageAsync(response);
    }

    [Fact]
    public async Task A_metadata_document_client_gets_its_errors_back_once_its_document_was_read()
    {
        const string clientId = "https://client.example/hostile/metadata.json";
        var document = $$"""{"client_id":"{{clientId}}","redirect_uris":["{{OAuthTestClient.Redirect}}"],"token_endpoint_auth_method":"none"}""";
        using var host = factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.AddHttpClient(ClientMetadataDocuments.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => new DocumentHandler(clientId, document))));
        var oauth = new OAuthTestClient(host, new CookieContainer());
        var parameters = AuthorizeRequest(oauth, clientId);
        parameters[Parameters.ResponseType] = "token";

        using var response = await oauth.StartAsync(parameters);

        await AssertErrorRedirectAsync(response, OAuthTestClient.Redirect, Errors.UnsupportedResponseType);
    }

    [Fact]
    public async Task A_metadata_document_client_whose_document_fails_is_not_redirected_even_with_an_old_entry()
    {
        // The real fetcher refuses loopback addresses, so this document can never be read; an entry
        // left from an earlier (say, since edited) document must not be trusted instead.
        const string clientId = "https://localhost/oauth/metadata.json";
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
            if (await applications.FindByClientIdAsync(clientId) is null)
            {
                var descriptor = new OpenIddictApplicationDescriptor { ClientId = clientId, ClientType = ClientTypes.Public };
                descriptor.RedirectUris.Add(new Uri(OAuthTestClient.Redirect));
                descriptor.Permissions.UnionWith([Permissions.Endpoints.Authorization, Permissions.ResponseTypes.Code]);
                await applications.CreateAsync(descriptor);
            }
        }

        var oauth = Anonymous();
        foreach (var (name, value) in new[] { (Parameters.ResponseType, "token"), (Parameters.Request, "eyJhbGciOiJub25lIn0.e30.") })
        {
            var parameters = AuthorizeRequest(oauth, clientId);
            parameters[name] = value;

            using var response = await oauth.StartAsync(parameters);

            await AssertErrorPageAsync(response);
        }
    }

    [Fact]
    public async Task The_error_page_says_what_is_wrong_and_encodes_what_it_repeats()
    {
        const string clientId = "https://localhost/<script>alert(1)</script>";
        var oauth = Anonymous();

        using var response = await oauth.StartAsync(AuthorizeRequest(oauth, clientId));

        var description = await AssertErrorPageAsync(response);
        Assert.Contains($"The client metadata document at {clientId} cannot be used", description);
    }

    [Fact]
    public async Task An_empty_authorization_request_gets_the_error_page()
    {
        using var http = factory.CreateClient();

        using var response = await http.GetAsync("/connect/authorize");

        Assert.Contains(Parameters.ClientId, await AssertErrorPageAsync(response));
    }

    // Test configuration only: the metadata document fetcher answers from memory instead of the network.
    private sealed class DocumentHandler(string url, string document) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(request.RequestUri?.ToString() == url
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(document, System.Text.Encoding.UTF8, "application/json") }
                : new HttpResponseMessage(HttpStatusCode.NotFound));
    }

    private OAuthTestClient Anonymous() => new(factory, new CookieContainer());

    private static Dictionary<string, string?> AuthorizeRequest(OAuthTestClient oauth, string clientId, string redirect = OAuthTestClient.Redirect)
    {
        var parameters = oauth.AuthorizeParameters(clientId, redirect);
        parameters[Parameters.State] = State;
        return parameters;
    }

    private static void Set(Dictionary<string, string?> parameters, string name, string? value)
    {
        if (value is null)
        {
            parameters.Remove(name);
        }
        else
        {
            parameters[name] = value;
        }
    }

    private static async Task<Dictionary<string, string>> AssertErrorRedirectAsync(HttpResponseMessage response, string redirect, string error)
    {
        var location = response.Headers.Location;
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"Expected a redirect, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal(redirect, location!.GetLeftPart(UriPartial.Path));
        Assert.True(string.IsNullOrEmpty(location.Fragment), $"The error must be in the query, not in {location}");
        var query = QueryHelpers.ParseQuery(location.Query).ToDictionary(p => p.Key, p => p.Value.ToString());
        Assert.Equal(error, query["error"]);
        Assert.False(string.IsNullOrWhiteSpace(query.GetValueOrDefault("error_description")), $"No error_description in {location}");
        Assert.Equal(State, query["state"]);
        Assert.Equal($"{PlatformFactory.PublicBaseUrl}/", query["iss"]);
        return query;
    }

    private static async Task<string> AssertErrorPageAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"Expected 400, got {(int)response.StatusCode} {response.Headers.Location}: {body}");
        Assert.Null(response.Headers.Location);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.DoesNotContain("<script", body, StringComparison.OrdinalIgnoreCase);
        var (error, description) = await OAuthTestClient.ErrorAsync(response);
        Assert.False(string.IsNullOrWhiteSpace(error) || string.IsNullOrWhiteSpace(description), body);
        return description;
    }
}
