using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using Perspective.Connectedapps.V1;
using Perspective.Identity.Seeding;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Perspective.IntegrationTests.OAuth;

/// <summary>
/// Least privilege for OAuth (issue 17): an app asks for mcp:read or mcp:write, the user allows read
/// only or read &amp; write, and the token, its refresh, the MCP endpoint and Connected Apps all hold to it.
/// </summary>
public sealed class ReadOrWriteConsentTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    private const string ReadWrite = "mcp:read mcp:write offline_access";
    private const string ReadOnly = "mcp:read offline_access";

    [Fact]
    public async Task Read_only_chosen_for_an_app_that_asked_to_write_hides_and_refuses_writing_with_a_step_up_challenge()
    {
        var (oauth, workspaces) = await OAuthTestClient.ForDemoUserAsync(factory);
        var clientId = await oauth.RegisterPublicClientAsync();

        using var page = await oauth.StartAsync(WithScope(oauth.AuthorizeParameters(clientId), "mcp:read mcp:write offline_access"));
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<legend>What this app may do</legend>", html);
        Assert.Contains("value=\"read_write\" checked=\"checked\"", html);
        Assert.DoesNotContain("value=\"read\" checked=\"checked\"", html);
        var tokens = await AllowAsync(oauth, clientId, page, access: "read");

        Assert.Equal(ReadOnly, Scope(tokens));
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        var workspace = workspaces["acme-research"];
        await using (var client = await McpTestClient.ConnectAsync(factory, accessToken))
        {
            var tools = (await client.ListToolsAsync()).Select(t => t.Name).ToList();
            Assert.Contains("perspective_list", tools);
            Assert.DoesNotContain("perspective_create", tools);
        }

        using var http = factory.CreateClient();
        using var refused = await http.SendAsync(CreatePerspectiveRequest(accessToken, workspace, "Step-up probe"));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(
            $"Bearer error=\"insufficient_scope\", scope=\"mcp:read mcp:write\", resource_metadata=\"{PlatformFactory.PublicBaseUrl}/.well-known/oauth-protected-resource/mcp\"",
            refused.Headers.WwwAuthenticate.ToString());
        var body = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(7, body.GetProperty("id").GetInt32());
        Assert.True(body.GetProperty("error").TryGetProperty("message", out _), body.ToString());
        Assert.DoesNotContain("Step-up probe", await PerspectiveTitlesAsync(accessToken, workspace));
    }

    [Theory]
    [InlineData("mcp:read mcp:write offline_access")]
    [InlineData("mcp:write")]
    [InlineData("mcp")]
    [InlineData("")]
    public async Task Read_and_write_allowed_for_an_app_that_asked_to_write_lets_it_create_and_keeps_both_on_refresh(string scope)
    {
        var (oauth, workspaces) = await OAuthTestClient.ForDemoUserAsync(factory);
        var clientId = await oauth.RegisterPublicClientAsync();

        using var page = await oauth.StartAsync(WithScope(oauth.AuthorizeParameters(clientId), scope));
        Assert.Contains("value=\"read_write\" checked=\"checked\"", await page.Content.ReadAsStringAsync());
        var tokens = await AllowAsync(oauth, clientId, page, access: "read_write");

        Assert.Equal(ReadWrite, Scope(tokens));
        await using (var client = await McpTestClient.ConnectAsync(factory, tokens.GetProperty("access_token").GetString()!))
        {
            var created = await client.CallAsync("perspective_create", new { workspace_id = workspaces["acme-research"], title = $"Written with [{scope}]", description = "Scope test" });
            Assert.Equal($"Written with [{scope}]", created.GetProperty("title").GetString());
        }

        var (status, refreshed) = await oauth.RefreshAsync(clientId, tokens.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, status);
        await using var again = await McpTestClient.ConnectAsync(factory, refreshed.GetProperty("access_token").GetString()!);
        Assert.Contains("perspective_create", (await again.ListToolsAsync()).Select(t => t.Name));
    }

    [Fact]
    public async Task An_app_that_asked_to_read_gets_no_choice_and_a_forged_write_answer_grants_read_only()
    {
        var (oauth, workspaces) = await OAuthTestClient.ForDemoUserAsync(factory);
        var clientId = await oauth.RegisterPublicClientAsync();

        using var page = await oauth.StartAsync(WithScope(oauth.AuthorizeParameters(clientId), "mcp:read"));
        var html = await page.Content.ReadAsStringAsync();
        Assert.DoesNotContain("name=\"access\"", html);
        Assert.Contains("Read only: list your workspaces and read perspectives and conversations", html);
        var tokens = await AllowAsync(oauth, clientId, page, access: "read_write");

        Assert.Equal(ReadOnly, Scope(tokens));
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        using var http = factory.CreateClient();
        using var refused = await http.SendAsync(CreatePerspectiveRequest(accessToken, workspaces["acme-research"], "Forged write"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.DoesNotContain("Forged write", await PerspectiveTitlesAsync(accessToken, workspaces["acme-research"]));
    }

    [Theory]
    [InlineData("")]
    [InlineData("write")]
    [InlineData("READ")]
    [InlineData("read,read_write")]
    public async Task Allowing_an_app_that_asked_to_write_without_a_valid_access_choice_asks_again(string access)
    {
        var (oauth, _) = await OAuthTestClient.ForDemoUserAsync(factory);
        var clientId = await oauth.RegisterPublicClientAsync();
        using var page = await oauth.StartAsync(oauth.AuthorizeParameters(clientId));

        using var again = await oauth.ConsentAsync(page, "allow", access: access);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("Choose whether this app may only read or may also write.", await again.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("mcp:read unknown-scope mcp:admin", ReadOnly)]
    [InlineData("mcp:read MCP:WRITE mcp:write:all", ReadOnly)]
    [InlineData("unknown-scope", ReadWrite)]
    public async Task Unknown_scopes_are_ignored_and_never_widen(string scope, string granted)
    {
        var (oauth, _) = await OAuthTestClient.ForDemoUserAsync(factory);
        var clientId = await oauth.RegisterPublicClientAsync();

        using var page = await oauth.StartAsync(WithScope(oauth.AuthorizeParameters(clientId), scope));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var tokens = await AllowAsync(oauth, clientId, page, access: "read_write");

        Assert.Equal(granted, Scope(tokens));
    }

    [Fact]
    public async Task An_app_with_a_read_only_grant_that_asks_to_write_sees_the_consent_page_again_and_then_may_write()
    {
        var (oauth, workspaces) = await OAuthTestClient.ForDemoUserAsync(factory);
        var clientId = await oauth.RegisterPublicClientAsync();
        using var first = await oauth.StartAsync(WithScope(oauth.AuthorizeParameters(clientId), "mcp:read"));
        var readOnly = await AllowAsync(oauth, clientId, first, access: null);
        var grant = await factory.GrantOfClientAsync(clientId);

        using var stepUp = await oauth.StartAsync(WithScope(oauth.AuthorizeParameters(clientId), "mcp:read mcp:write"));

        Assert.Equal(HttpStatusCode.OK, stepUp.StatusCode);
        Assert.Contains("value=\"read_write\" checked=\"checked\"", await stepUp.Content.ReadAsStringAsync());
        var readWrite = await AllowAsync(oauth, clientId, stepUp, access: null);
        Assert.Equal(ReadWrite, Scope(readWrite));
        Assert.Equal(grant.Id, (await factory.GrantOfClientAsync(clientId)).Id);
        await using (var client = await McpTestClient.ConnectAsync(factory, readWrite.GetProperty("access_token").GetString()!))
        {
            await client.CallAsync("perspective_create", new { workspace_id = workspaces["acme-research"], title = "After step-up", description = "Scope test" });
        }

        // The token of the read-only consent is not widened by the later one.
        using var http = factory.CreateClient();
        using var refused = await http.SendAsync(CreatePerspectiveRequest(readOnly.GetProperty("access_token").GetString()!, workspaces["acme-research"], "Old token"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task Consenting_again_with_read_only_narrows_the_tokens_issued_before()
    {
        var (oauth, workspaces) = await OAuthTestClient.ForDemoUserAsync(factory);
        var clientId = await oauth.RegisterPublicClientAsync();
        using var first = await oauth.StartAsync(oauth.AuthorizeParameters(clientId));
        var readWrite = await AllowAsync(oauth, clientId, first, access: "read_write");

        using var second = await oauth.StartAsync(oauth.AuthorizeParameters(clientId));
        await AllowAsync(oauth, clientId, second, access: "read");

        using var http = factory.CreateClient();
        using var refused = await http.SendAsync(CreatePerspectiveRequest(readWrite.GetProperty("access_token").GetString()!, workspaces["acme-research"], "Narrowed"));
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var (status, refreshed) = await oauth.RefreshAsync(clientId, readWrite.GetProperty("refresh_token").GetString()!);
        Assert.Equal(HttpStatusCode.OK, status);
        await using var client = await McpTestClient.ConnectAsync(factory, refreshed.GetProperty("access_token").GetString()!);
        Assert.DoesNotContain("perspective_create", (await client.ListToolsAsync()).Select(t => t.Name));
    }

    [Fact]
    public async Task An_app_stored_with_only_the_legacy_mcp_permission_may_ask_for_mcp_read_and_mcp_write()
    {
        var (oauth, _) = await OAuthTestClient.ForDemoUserAsync(factory);
        var clientId = await oauth.RegisterPublicClientAsync();
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
            var application = (await applications.FindByClientIdAsync(clientId))!;
            var descriptor = new OpenIddictApplicationDescriptor();
            await applications.PopulateAsync(descriptor, application);
            descriptor.Permissions.Remove(Permissions.Prefixes.Scope + "mcp:read");
            descriptor.Permissions.Remove(Permissions.Prefixes.Scope + "mcp:write");
            Assert.Contains(Permissions.Prefixes.Scope + "mcp", descriptor.Permissions);
            await applications.UpdateAsync(application, descriptor);
        }

        using var page = await oauth.StartAsync(WithScope(oauth.AuthorizeParameters(clientId), ReadWrite));
        var tokens = await AllowAsync(oauth, clientId, page, access: "read_write");

        Assert.Equal(ReadWrite, Scope(tokens));
    }

    [Fact]
    public async Task Connected_apps_lists_the_granted_scopes()
    {
        var (oauth, _) = await OAuthTestClient.ForDemoUserAsync(factory);
        var clientId = await oauth.RegisterPublicClientAsync();
        using var page = await oauth.StartAsync(oauth.AuthorizeParameters(clientId));
        await AllowAsync(oauth, clientId, page, access: "read");

        var apps = new ConnectedAppService.ConnectedAppServiceClient(factory.CreateGrpcChannel(await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword)));
        var app = (await apps.ListConnectedAppsAsync(new ListConnectedAppsRequest())).ConnectedApps.Single(a => a.ClientId == clientId);

        Assert.Equal(["mcp:read", "offline_access"], app.Scopes.Order());
    }

    private static Dictionary<string, string?> WithScope(Dictionary<string, string?> parameters, string scope)
    {
        parameters["scope"] = scope;
        return parameters;
    }

    private static async Task<JsonElement> AllowAsync(OAuthTestClient oauth, string clientId, HttpResponseMessage page, string? access)
    {
        using var redirect = await oauth.ConsentAsync(page, "allow", access: access);
        var (status, tokens) = await oauth.ExchangeAsync(clientId, OAuthTestClient.RedirectQuery(redirect)["code"]);
        Assert.True(status == HttpStatusCode.OK, tokens.ToString());
        return tokens;
    }

    private static string Scope(JsonElement tokens) =>
        string.Join(' ', tokens.GetProperty("scope").GetString()!.Split(' ').Order(StringComparer.Ordinal));

    private static HttpRequestMessage CreatePerspectiveRequest(string accessToken, string workspaceId, string title)
    {
        var call = new
        {
            jsonrpc = "2.0", id = 7, method = "tools/call",
            @params = new { name = "perspective_create", arguments = new { workspace_id = workspaceId, title, description = "Must not be created" } },
        };
        var request = new HttpRequestMessage(HttpMethod.Post, "/mcp") { Content = new StringContent(JsonSerializer.Serialize(call), Encoding.UTF8, "application/json") };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        request.Headers.Add("MCP-Protocol-Version", "2025-06-18");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return request;
    }

    private async Task<List<string>> PerspectiveTitlesAsync(string accessToken, string workspaceId)
    {
        await using var client = await McpTestClient.ConnectAsync(factory, accessToken);
        var listed = await client.CallAsync("perspective_list", new { workspace_id = workspaceId, page_size = 100 });
        return listed.GetProperty("perspectives").EnumerateArray().Select(p => p.GetProperty("title").GetString()!).ToList();
    }
}
