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
        Assert.Contains(Perspective.WebUi.Components.Shared.Display.Time(lapse), card.TextContent);
    }
}
