using System.Net;
using System.Text;
using System.Text.Json;
using Grpc.Core;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using Perspective.Connectedapps.V1;
using Perspective.Identity.OAuth;
using Perspective.Identity.Seeding;
using Perspective.Keys.V1;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Perspective.IntegrationTests;

public sealed class OAuthTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    [Theory]
    [InlineData("/.well-known/oauth-authorization-server")]
    [InlineData("/.well-known/openid-configuration")]
    public async Task Discovery_tells_mcp_clients_what_they_need(string path)
    {
        using var http = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Origin", "https://inspector.example");

        using var response = await http.SendAsync(request);
        var metadata = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal($"{PlatformFactory.PublicBaseUrl}/", metadata.GetProperty("issuer").GetString());
        Assert.Equal(["S256"], Strings(metadata, "code_challenge_methods_supported"));
        Assert.Equal($"{PlatformFactory.PublicBaseUrl}/connect/register", metadata.GetProperty("registration_endpoint").GetString());
        Assert.True(metadata.GetProperty("client_id_metadata_document_supported").GetBoolean());
        Assert.True(metadata.GetProperty("authorization_response_iss_parameter_supported").GetBoolean());
        Assert.Contains("none", Strings(metadata, "token_endpoint_auth_methods_supported"));
        Assert.Contains("client_secret_post", Strings(metadata, "token_endpoint_auth_methods_supported"));
        Assert.Equal(["mcp", "offline_access"], Strings(metadata, "scopes_supported").Order());
    }

    [Fact]
    public async Task The_token_endpoint_answers_browser_preflights()
    {
        using var http = factory.CreateClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, "/connect/token");
        preflight.Headers.Add("Origin", "https://inspector.example");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type");

        using var response = await http.SendAsync(preflight);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task A_connected_app_reaches_only_the_workspaces_chosen_at_consent()
    {
        var (oauth, workspaces) = await DemoOAuthAsync();
        var (_, accessToken, _) = await oauth.ConnectAsync([workspaces["northwind-product"]]);
        await using var client = await McpTestClient.ConnectAsync(factory, accessToken);

        var listed = await client.CallAsync("workspace_list");

        Assert.Equal(["northwind-product"], listed.GetProperty("workspaces").EnumerateArray().Select(w => w.GetProperty("slug").GetString()));
        Assert.EndsWith(McpHost.Mcp.McpCaller.NotAvailable, await client.CallFailingAsync("perspective_list", new { workspace_id = workspaces["acme-research"] }), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_consent_page_names_the_app_and_its_redirect_host_and_offers_only_the_users_workspaces()
    {
        var (oauth, _) = await DemoOAuthAsync();
        var clientId = await oauth.RegisterPublicClientAsync("Claude Code");

        using var page = await oauth.StartAsync(oauth.AuthorizeParameters(clientId));
        var html = await page.Content.ReadAsStringAsync();

        Assert.Contains("Connect Claude Code?", html);
        Assert.Contains("<strong>127.0.0.1:43117</strong>", html);
        Assert.Contains("Acme Research", html);
        Assert.Contains("Northwind Product", html);
        Assert.DoesNotContain("Globex Strategy", html);
    }

    [Fact]
    public async Task Denying_returns_access_denied_to_the_app()
    {
        var (oauth, _) = await DemoOAuthAsync();
        var clientId = await oauth.RegisterPublicClientAsync();

        using var page = await oauth.StartAsync(oauth.AuthorizeParameters(clientId));
        using var denied = await oauth.ConsentAsync(page, "deny");

        Assert.Equal("access_denied", OAuthTestClient.RedirectQuery(denied)["error"]);
    }

    [Fact]
    public async Task Allowing_without_any_workspace_asks_again()
    {
        var (oauth, _) = await DemoOAuthAsync();
        var clientId = await oauth.RegisterPublicClientAsync();

        using var page = await oauth.StartAsync(oauth.AuthorizeParameters(clientId));
        using var again = await oauth.ConsentAsync(page, "allow", workspaceIds: []);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("Choose at least one workspace", await again.Content.ReadAsStringAsync());
    }

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
        var (oauth, _) = await DemoOAuthAsync();
        var clientId = await oauth.RegisterPublicClientAsync();
        var parameters = oauth.AuthorizeParameters(clientId);
        parameters["prompt"] = "none";

        using var response = await oauth.StartAsync(parameters);

        Assert.Equal("consent_required", OAuthTestClient.RedirectQuery(response)["error"]);
    }

    [Fact]
    public async Task A_revoked_refresh_token_no_longer_refreshes()
    {
        var (oauth, _) = await DemoOAuthAsync();
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
        var (oauth, _) = await DemoOAuthAsync();
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
        var (oauth, _) = await DemoOAuthAsync();
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

    [Theory]
    [InlineData(null, "code_challenge")]
    [InlineData("plain", "code_challenge_method")]
    public async Task Pkce_is_required_and_only_s256(string? method, string missingOrWrong)
    {
        var (oauth, _) = await DemoOAuthAsync();
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
        var (oauth, _) = await DemoOAuthAsync();
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
        var (oauth, _) = await DemoOAuthAsync();
        var clientId = await oauth.RegisterPublicClientAsync();
        var parameters = oauth.AuthorizeParameters(clientId, redirect: "http://127.0.0.1:51999/callback");

        using var page = await oauth.StartAsync(parameters);

        Assert.True(page.StatusCode == HttpStatusCode.OK, await page.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_unknown_resource_is_an_invalid_target()
    {
        var (oauth, _) = await DemoOAuthAsync();
        var clientId = await oauth.RegisterPublicClientAsync();
        var parameters = oauth.AuthorizeParameters(clientId);
        parameters["resource"] = "https://elsewhere.example/mcp";

        using var response = await oauth.StartAsync(parameters);

        Assert.Equal("invalid_target", (await OAuthTestClient.ErrorAsync(response)).Error);
    }

    [Fact]
    public async Task The_authorization_response_names_the_issuer()
    {
        var (oauth, _) = await DemoOAuthAsync();
        var clientId = await oauth.RegisterPublicClientAsync();

        using var page = await oauth.StartAsync(oauth.AuthorizeParameters(clientId));
        using var redirect = await oauth.ConsentAsync(page, "allow");

        Assert.Equal($"{PlatformFactory.PublicBaseUrl}/", OAuthTestClient.RedirectQuery(redirect)["iss"]);
    }

    [Fact]
    public async Task Codes_and_tokens_never_reach_the_logs()
    {
        var (oauth, _) = await DemoOAuthAsync();
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

    [Fact]
    public async Task A_code_works_once()
    {
        var (oauth, _) = await DemoOAuthAsync();
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
        var (oauth, _) = await DemoOAuthAsync();
        var clientId = await oauth.RegisterPublicClientAsync();
        var code = await oauth.AuthorizeAsync(clientId);
        var impostor = new OAuthTestClient(factory, new CookieContainer());

        var result = await impostor.ExchangeAsync(clientId, code);

        Assert.Equal("invalid_grant", result.Body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Refresh_tokens_rotate_and_a_reused_one_kills_the_grant()
    {
        var (oauth, _) = await DemoOAuthAsync();
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
    public async Task Disconnecting_an_app_refuses_its_next_request_and_kills_its_refresh_token()
    {
        var (oauth, workspaces) = await DemoOAuthAsync();
        var (clientId, accessToken, refresh) = await oauth.ConnectAsync([workspaces["acme-research"]]);
        await using (var client = await McpTestClient.ConnectAsync(factory, accessToken))
        {
            await client.CallAsync("workspace_list");
        }

        var apps = new ConnectedAppService.ConnectedAppServiceClient(factory.CreateGrpcChannel(await DemoSessionAsync()));
        var app = (await apps.ListConnectedAppsAsync(new ListConnectedAppsRequest())).ConnectedApps.Single(a => a.ClientId == clientId);
        Assert.Equal(("Test MCP client", ClientKind.Registered, "127.0.0.1"), (app.Name, app.ClientKind, app.RedirectHost));
        Assert.Equal(["Acme Research"], app.Workspaces.Select(w => w.Name));
        Assert.Contains("mcp", app.Scopes);
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
        var (oauth, _) = await DemoOAuthAsync();
        var (clientId, accessToken, _) = await oauth.ConnectAsync();
        var demoApps = new ConnectedAppService.ConnectedAppServiceClient(factory.CreateGrpcChannel(await DemoSessionAsync()));
        var appId = (await demoApps.ListConnectedAppsAsync(new ListConnectedAppsRequest())).ConnectedApps.Single(a => a.ClientId == clientId).Id;
        var sam = new ConnectedAppService.ConnectedAppServiceClient(factory.CreateGrpcChannel(await factory.SignInAsync(DemoSeed.SecondEmail, DemoSeed.SecondPassword)));

        var listed = await sam.ListConnectedAppsAsync(new ListConnectedAppsRequest());
        var error = await Assert.ThrowsAsync<RpcException>(() => sam.DisconnectConnectedAppAsync(new DisconnectConnectedAppRequest { ConnectedAppId = appId }).ResponseAsync);

        Assert.DoesNotContain(listed.ConnectedApps, a => a.Id == appId);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Equal(HttpStatusCode.OK, await McpTestClient.StatusAsync(factory, $"Bearer {accessToken}"));
    }

    [Fact]
    public async Task An_mcp_access_token_cannot_call_the_management_services()
    {
        var (oauth, _) = await DemoOAuthAsync();
        var (_, accessToken, _) = await oauth.ConnectAsync();
        var keys = new McpKeyService.McpKeyServiceClient(factory.CreateGrpcChannel());

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            keys.ListMcpKeysAsync(new ListMcpKeysRequest(), new Grpc.Core.Metadata { { "authorization", $"Bearer {accessToken}" } }).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task A_management_token_manages_but_is_refused_at_the_mcp_endpoint()
    {
        var (oauth, _) = await DemoOAuthAsync();
        const string clientId = "first-party-console";
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
            var descriptor = new OpenIddictApplicationDescriptor
            {
                ClientId = clientId, ClientType = ClientTypes.Public, ApplicationType = ApplicationTypes.Native, ConsentType = ConsentTypes.Explicit,
                DisplayName = "Perspective console",
            };
            descriptor.RedirectUris.Add(new Uri(OAuthTestClient.Redirect));
            descriptor.Permissions.UnionWith([Permissions.Endpoints.Authorization, Permissions.Endpoints.Token, Permissions.GrantTypes.AuthorizationCode,
                Permissions.ResponseTypes.Code, Permissions.Prefixes.Scope + OAuthScopes.Management]);
            descriptor.AddResourcePermissions(OAuthScopes.ManagementResource);
            await applications.CreateAsync(descriptor);
        }

        var parameters = oauth.AuthorizeParameters(clientId);
        parameters["scope"] = "management";
        parameters["resource"] = OAuthScopes.ManagementResource;
        using var page = await oauth.StartAsync(parameters);
        Assert.Contains("Manage your MCP keys and connected apps.", await page.Content.ReadAsStringAsync());
        using var redirect = await oauth.ConsentAsync(page, "allow");
        var (_, tokens) = await oauth.TokenAsync(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = OAuthTestClient.RedirectQuery(redirect)["code"], ["redirect_uri"] = OAuthTestClient.Redirect,
            ["client_id"] = clientId, ["code_verifier"] = oauth.Verifier, ["resource"] = OAuthScopes.ManagementResource,
        });
        var managementToken = tokens.GetProperty("access_token").GetString()!;

        var keys = new McpKeyService.McpKeyServiceClient(factory.CreateGrpcChannel());
        await keys.ListMcpKeysAsync(new ListMcpKeysRequest(), new Grpc.Core.Metadata { { "authorization", $"Bearer {managementToken}" } });
        Assert.Equal(HttpStatusCode.Unauthorized, await McpTestClient.StatusAsync(factory, $"Bearer {managementToken}"));
    }

    [Fact]
    public async Task Registration_returns_only_what_applies_and_a_secret_only_to_confidential_clients()
    {
        using var http = factory.CreateClient();

        var publicClient = await OAuthTestClient.RegisterAsync(http, new { redirect_uris = new[] { "http://localhost:8976/cb" }, token_endpoint_auth_method = "none" });
        var confidential = await OAuthTestClient.RegisterAsync(http, new { redirect_uris = new[] { "https://app.example/cb" }, token_endpoint_auth_method = "client_secret_post", client_name = "Hosted app" });

        Assert.False(publicClient.TryGetProperty("client_secret", out _));
        Assert.False(publicClient.TryGetProperty("client_name", out _));
        Assert.Equal("none", publicClient.GetProperty("token_endpoint_auth_method").GetString());
        Assert.StartsWith("pcl_", publicClient.GetProperty("client_id").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(confidential.GetProperty("client_secret").GetString()));
        Assert.Equal("Hosted app", confidential.GetProperty("client_name").GetString());
    }

    public static TheoryData<string, string> BadRegistrations => new()
    {
        { """{"redirect_uris":["http://app.example/cb"],"token_endpoint_auth_method":"none"}""", "invalid_redirect_uri" },
        { """{"redirect_uris":["javascript:alert(1)"],"token_endpoint_auth_method":"none"}""", "invalid_redirect_uri" },
        { """{"redirect_uris":["file:///etc/passwd"]}""", "invalid_redirect_uri" },
        { """{"redirect_uris":["https://app.example/cb#fragment"]}""", "invalid_redirect_uri" },
        { """{"client_name":"No redirects"}""", "invalid_redirect_uri" },
        { """{"redirect_uris":[]}""", "invalid_redirect_uri" },
        { """{"redirect_uris":["https://app.example/cb"],"grant_types":["password"]}""", "invalid_client_metadata" },
        { """{"redirect_uris":["https://app.example/cb"],"token_endpoint_auth_method":"private_key_jwt"}""", "invalid_client_metadata" },
        { """{"redirect_uris":["https://app.example/cb"],"scope":"admin"}""", "invalid_client_metadata" },
        { """not json""", "invalid_client_metadata" },
        { "{\"redirect_uris\":[\"https://app.example/cb\"],\"client_name\":\"" + new string('x', 300) + "\"}", "invalid_client_metadata" },
    };

    [Theory]
    [MemberData(nameof(BadRegistrations))]
    public async Task Bad_registrations_get_rfc7591_errors(string body, string error)
    {
        using var http = factory.CreateClient();

        using var response = await http.PostAsync("/connect/register", new StringContent(body, Encoding.UTF8, "application/json"));
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(error, answer.GetProperty("error").GetString());
        Assert.False(string.IsNullOrWhiteSpace(answer.GetProperty("error_description").GetString()));
    }

    [Fact]
    public async Task Anonymous_registration_is_rate_limited()
    {
        using var strict = factory.WithWebHostBuilder(builder => builder.UseSetting("OAuth:Registration:PermitPerMinute", "2"));
        using var http = strict.CreateClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await http.PostAsync("/connect/register", OAuthTestClient.Json(new { redirect_uris = new[] { "https://app.example/cb" } }));
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Created, HttpStatusCode.TooManyRequests], statuses);
    }

    private async Task<(OAuthTestClient OAuth, Dictionary<string, string> Workspaces)> DemoOAuthAsync()
    {
        var cookies = await DemoSessionAsync();
        var accounts = new Accounts.V1.AccountService.AccountServiceClient(factory.CreateGrpcChannel(cookies));
        var workspaces = (await accounts.ListMyWorkspacesAsync(new Accounts.V1.ListMyWorkspacesRequest())).Workspaces.ToDictionary(w => w.Slug, w => w.Id);
        return (new OAuthTestClient(factory, cookies), workspaces);
    }

    private Task<CookieContainer> DemoSessionAsync() => factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);


    private static IEnumerable<string?> Strings(JsonElement metadata, string name) =>
        metadata.GetProperty(name).EnumerateArray().Select(v => v.GetString());
}
