using System.Net;

namespace Perspective.IntegrationTests.OAuth;

/// <summary>The consent page: what it shows, allow and deny, and the workspaces chosen there.</summary>
public sealed class ConsentTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task The_consent_page_names_the_app_and_its_redirect_host_and_offers_only_the_users_workspaces()
    {
        var (oauth, _) = await OAuthTestClient.ForDemoUserAsync(factory);
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
        var (oauth, _) = await OAuthTestClient.ForDemoUserAsync(factory);
        var clientId = await oauth.RegisterPublicClientAsync();

        using var page = await oauth.StartAsync(oauth.AuthorizeParameters(clientId));
        using var denied = await oauth.ConsentAsync(page, "deny");

        Assert.Equal("access_denied", OAuthTestClient.RedirectQuery(denied)["error"]);
    }

    [Fact]
    public async Task Allowing_without_any_workspace_asks_again()
    {
        var (oauth, _) = await OAuthTestClient.ForDemoUserAsync(factory);
        var clientId = await oauth.RegisterPublicClientAsync();

        using var page = await oauth.StartAsync(oauth.AuthorizeParameters(clientId));
        using var again = await oauth.ConsentAsync(page, "allow", workspaceIds: []);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("Choose at least one workspace", await again.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_connected_app_reaches_only_the_workspaces_chosen_at_consent()
    {
        var (oauth, workspaces) = await OAuthTestClient.ForDemoUserAsync(factory);
        var (_, accessToken, _) = await oauth.ConnectAsync([workspaces["northwind-product"]]);
        await using var client = await McpTestClient.ConnectAsync(factory, accessToken);

        var listed = await client.CallAsync("workspace_list");

        Assert.Equal(["northwind-product"], listed.GetProperty("workspaces").EnumerateArray().Select(w => w.GetProperty("slug").GetString()));
        Assert.EndsWith(McpHost.Mcp.McpCaller.NotAvailable, await client.CallFailingAsync("perspective_list", new { workspace_id = workspaces["acme-research"] }), StringComparison.Ordinal);
    }
}
