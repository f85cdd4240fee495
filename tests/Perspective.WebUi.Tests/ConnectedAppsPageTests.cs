using Bunit;
using Google.Protobuf.WellKnownTypes;
using Perspective.Connectedapps.V1;
using Perspective.WebUi.Pages;

namespace Perspective.WebUi.Tests;

public sealed class ConnectedAppsPageTests : SettingsTestContext
{
    [Fact]
    public void Without_apps_the_page_explains_how_apps_get_there()
    {
        var page = Render<ConnectedAppsSettings>(parameters => parameters.Add(p => p.WorkspaceSlug, "acme-research"));

        page.WaitForAssertion(() => Assert.Contains("No connected apps yet", page.Markup));
        Assert.Contains("choose the workspaces", page.Markup);
    }

    [Fact]
    public void An_app_shows_its_name_redirect_host_workspaces_and_times_with_disconnect()
    {
        ConnectedApps.Apps.Add(new ConnectedApp
        {
            Id = "a1", Name = "Claude Code", ClientKind = ClientKind.Registered, RedirectHost = "127.0.0.1",
            Workspaces = { new AppWorkspace { Id = "w1", Name = "Acme Research", Reachable = true } },
            ConnectTime = Timestamp.FromDateTime(new DateTime(2026, 5, 6, 7, 8, 0, DateTimeKind.Utc)),
        });

        var page = Render<ConnectedAppsSettings>(parameters => parameters.Add(p => p.WorkspaceSlug, "acme-research"));

        var card = page.WaitForElement("article[aria-label='Connected app Claude Code']");
        Assert.Contains("127.0.0.1", card.TextContent);
        Assert.Contains("Acme Research", card.TextContent);
        Assert.Contains("Never", card.TextContent);
        card.QuerySelector("button[aria-label='Disconnect Claude Code']")!.Click();
        Assert.Contains("loses access immediately", page.Find("[role=alertdialog]").TextContent);
    }

    [Fact]
    public void An_app_shows_when_it_lapses_if_unused()
    {
        var lapse = Timestamp.FromDateTime(new DateTime(2026, 6, 5, 7, 8, 0, DateTimeKind.Utc));
        ConnectedApps.Apps.Add(new ConnectedApp
        {
            Id = "a2", Name = "Cursor", ClientKind = ClientKind.Registered, RedirectHost = "127.0.0.1",
            ConnectTime = Timestamp.FromDateTime(new DateTime(2026, 5, 6, 7, 8, 0, DateTimeKind.Utc)), LapseTime = lapse,
        });

        var page = Render<ConnectedAppsSettings>(parameters => parameters.Add(p => p.WorkspaceSlug, "acme-research"));

        var card = page.WaitForElement("article[aria-label='Connected app Cursor']");
        Assert.Contains("Lapses if unused", card.TextContent);
        Assert.Contains("2026-06-05 09:08 (UTC+02:00)", card.TextContent);
    }

    [Fact]
    public void An_app_shows_whether_its_identity_is_verified_and_its_scopes_in_plain_words()
    {
        ConnectedApps.Apps.Add(new ConnectedApp
        {
            Id = "a3", Name = "Claude", ClientKind = ClientKind.MetadataDocument, ClientId = "https://claude.ai/oauth/client.json",
            VerifiedOrigin = "https://claude.ai", RedirectHost = "claude.ai", Scopes = { "mcp", "offline_access" },
            ConnectTime = Timestamp.FromDateTime(new DateTime(2026, 5, 6, 7, 8, 0, DateTimeKind.Utc)),
        });
        ConnectedApps.Apps.Add(new ConnectedApp
        {
            Id = "a4", Name = "Some CLI", ClientKind = ClientKind.Registered, RedirectHost = "127.0.0.1", Scopes = { "mcp" },
            ConnectTime = Timestamp.FromDateTime(new DateTime(2026, 5, 6, 7, 8, 0, DateTimeKind.Utc)),
        });

        var page = Render<ConnectedAppsSettings>(parameters => parameters.Add(p => p.WorkspaceSlug, "acme-research"));

        var verified = page.WaitForElement("article[aria-label='Connected app Claude']");
        Assert.Contains("Verified: https://claude.ai", verified.TextContent);
        Assert.Contains("AccessRead & write", verified.TextContent);
        Assert.Contains("Stay connected", verified.TextContent);
        var registered = page.Find("article[aria-label='Connected app Some CLI']");
        Assert.Contains("Self-registered (unverified)", registered.TextContent);
        Assert.DoesNotContain("Verified:", registered.TextContent);
    }

    [Theory]
    [InlineData("mcp:read mcp:write offline_access", "Read & write")]
    [InlineData("mcp:read offline_access", "Read only")]
    [InlineData("mcp", "Read & write")]
    public void An_app_shows_its_access_as_read_only_or_read_and_write(string scopes, string access)
    {
        ConnectedApps.Apps.Add(new ConnectedApp
        {
            Id = "a5", Name = "Cursor", ClientKind = ClientKind.Registered, RedirectHost = "127.0.0.1", Scopes = { scopes.Split(' ') },
            ConnectTime = Timestamp.FromDateTime(new DateTime(2026, 5, 6, 7, 8, 0, DateTimeKind.Utc)),
        });

        var page = Render<ConnectedAppsSettings>(parameters => parameters.Add(p => p.WorkspaceSlug, "acme-research"));

        var card = page.WaitForElement("article[aria-label='Connected app Cursor']");
        Assert.Contains($"Access{access}", card.TextContent);
        Assert.DoesNotContain("mcp", card.TextContent);
    }

    [Fact]
    public void Recently_disconnected_apps_are_listed_with_when_and_why()
    {
        var time = Timestamp.FromDateTime(new DateTime(2026, 5, 20, 9, 30, 0, DateTimeKind.Utc));
        ConnectedApps.Disconnected.Add(new DisconnectedApp { Name = "Cursor", RedirectHost = "127.0.0.1", DisconnectTime = time, Reason = DisconnectReason.User });
        ConnectedApps.Disconnected.Add(new DisconnectedApp { Name = "Claude", VerifiedOrigin = "https://claude.ai", RedirectHost = "claude.ai", DisconnectTime = time, Reason = DisconnectReason.Admin });
        ConnectedApps.Disconnected.Add(new DisconnectedApp { Name = "Stolen", RedirectHost = "127.0.0.1", DisconnectTime = time, Reason = DisconnectReason.RefreshTokenReuse });
        ConnectedApps.Disconnected.Add(new DisconnectedApp { Name = "Old", RedirectHost = "127.0.0.1", DisconnectTime = time, Reason = DisconnectReason.Lapsed });

        var page = Render<ConnectedAppsSettings>(parameters => parameters.Add(p => p.WorkspaceSlug, "acme-research"));

        var section = page.WaitForElement("section[aria-label='Recently disconnected']");
        Assert.Contains("No connected apps yet", page.Markup);
        var cursor = section.QuerySelector("tr[aria-label='Disconnected app Cursor']")!.TextContent;
        Assert.Contains("You disconnected it", cursor);
        Assert.Contains("Self-registered (unverified)", cursor);
        Assert.Contains("127.0.0.1", cursor);
        Assert.Contains("2026-05-20 11:30 (UTC+02:00)", cursor);
        var claude = section.QuerySelector("tr[aria-label='Disconnected app Claude']")!.TextContent;
        Assert.Contains("An administrator disconnected it", claude);
        Assert.Contains("Verified: https://claude.ai", claude);
        Assert.Contains("Disconnected because its refresh token was used twice (possible token theft)",
            section.QuerySelector("tr[aria-label='Disconnected app Stolen']")!.TextContent);
        Assert.Contains("Lapsed after a long time unused", section.QuerySelector("tr[aria-label='Disconnected app Old']")!.TextContent);
    }

    [Fact]
    public void Without_recent_disconnections_there_is_no_recently_disconnected_section()
    {
        ConnectedApps.Apps.Add(new ConnectedApp
        {
            Id = "a5", Name = "Cursor", ClientKind = ClientKind.Registered, RedirectHost = "127.0.0.1",
            ConnectTime = Timestamp.FromDateTime(new DateTime(2026, 5, 6, 7, 8, 0, DateTimeKind.Utc)),
        });

        var page = Render<ConnectedAppsSettings>(parameters => parameters.Add(p => p.WorkspaceSlug, "acme-research"));

        page.WaitForElement("article[aria-label='Connected app Cursor']");
        Assert.DoesNotContain("Recently disconnected", page.Markup);
    }
}
