using Bunit;
using Microsoft.AspNetCore.Components.Web;
using Perspective.Connectedapps.V1;
using Perspective.Keys.V1;
using Perspective.WebUi.Pages;

namespace Perspective.WebUi.Tests;

public sealed class PageTitleAndFilterTests : SettingsTestContext
{
    [Fact]
    public void Settings_pages_are_titled_with_the_page_and_the_workspace()
    {
        var head = Render<HeadOutlet>();

        Render<McpSettings>(parameters => parameters.Add(p => p.WorkspaceSlug, "acme-research"));
        head.WaitForAssertion(() => Assert.Contains("<title>MCP · Acme Research · Perspective</title>", head.Markup));

        Render<ConnectedAppsSettings>(parameters => parameters.Add(p => p.WorkspaceSlug, "northwind-product"));
        head.WaitForAssertion(() => Assert.Contains("<title>Connected Apps · Northwind Product · Perspective</title>", head.Markup));

        Render<WorkspaceSettings>(parameters => parameters.Add(p => p.WorkspaceSlug, "acme-research"));
        head.WaitForAssertion(() => Assert.Contains("<title>Workspace settings · Acme Research · Perspective</title>", head.Markup));
    }

    [Fact]
    public void Ten_keys_need_no_filter()
    {
        AddKeys(10);

        var page = Render<McpSettings>(parameters => parameters.Add(p => p.WorkspaceSlug, "acme-research"));

        page.WaitForElement("article[aria-label='Key Key 1']");
        Assert.Empty(page.FindAll("input[type=search]"));
    }

    [Fact]
    public void Eleven_keys_get_a_filter_by_name_or_workspace_ignoring_case_with_a_polite_count()
    {
        AddKeys(11);
        var page = Render<McpSettings>(parameters => parameters.Add(p => p.WorkspaceSlug, "acme-research"));

        var box = page.WaitForElement("input[type=search]");
        Assert.Equal("Filter keys", page.Find($"label[for='{box.Id}']").TextContent);
        var count = page.Find(".list-filter [role=status]");
        Assert.Equal("11 keys", count.TextContent);

        box.Input("KEY 1");
        Assert.Equal(["Key Key 1", "Key Key 10", "Key Key 11"], page.FindAll("article.key").Select(a => a.GetAttribute("aria-label")));
        Assert.Equal("3 of 11 keys", page.Find(".list-filter [role=status]").TextContent);

        page.Find("input[type=search]").Input("northwind");
        Assert.Equal(["Key Key 2", "Key Key 4", "Key Key 6", "Key Key 8", "Key Key 10"], page.FindAll("article.key").Select(a => a.GetAttribute("aria-label")));

        page.Find("input[type=search]").Input("nothing like it");
        Assert.Empty(page.FindAll("article.key"));
        Assert.Equal("0 of 11 keys", page.Find(".list-filter [role=status]").TextContent);
        Assert.Contains("No key’s name or workspace contains “nothing like it”", page.Markup);
    }

    [Fact]
    public void Eleven_apps_get_a_filter_by_name()
    {
        for (var i = 1; i <= 11; i++)
        {
            ConnectedApps.Apps.Add(new ConnectedApp { Id = $"a{i}", Name = i == 7 ? "Cursor" : $"Claude {i}", ClientKind = ClientKind.Registered, RedirectHost = "127.0.0.1" });
        }

        var page = Render<ConnectedAppsSettings>(parameters => parameters.Add(p => p.WorkspaceSlug, "acme-research"));

        var box = page.WaitForElement("input[type=search]");
        Assert.Equal("Filter apps", page.Find($"label[for='{box.Id}']").TextContent);
        box.Input("cursor");
        Assert.Equal(["Connected app Cursor"], page.FindAll("article.app").Select(a => a.GetAttribute("aria-label")));
        Assert.Equal("1 of 11 apps", page.Find(".list-filter [role=status]").TextContent);
    }

    // Odd keys reach Acme Research, even ones Northwind Product.
    private void AddKeys(int count)
    {
        for (var i = 1; i <= count; i++)
        {
            var workspace = i % 2 == 1 ? "Acme Research" : "Northwind Product";
            Keys.Keys.Add(new McpKey
            {
                Id = $"k{i}", Name = $"Key {i}", MaskedToken = $"pmk_…{i:0000}", Access = McpKeyAccess.ReadOnly,
                Workspaces = { new KeyWorkspace { Id = workspace, Name = workspace, Reachable = true } },
            });
        }
    }
}
