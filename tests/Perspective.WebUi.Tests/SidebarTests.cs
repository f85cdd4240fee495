using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Components;
using Perspective.WebUi.Layout;

namespace Perspective.WebUi.Tests;

public sealed class SidebarTests : SettingsTestContext
{
    [Fact]
    public void The_profile_menu_offers_mcp_connected_apps_and_sign_out_under_the_current_workspace()
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo("w/northwind-product/settings/mcp");
        var layout = Render<MainLayout>(parameters => parameters.Add(p => p.Body, (RenderFragment)(_ => { })));

        layout.WaitForElement("button.profile-button").Click();

        var items = layout.FindAll("[role=menuitem]").Select(a => (a.TextContent, a.GetAttribute("href"))).ToList();
        Assert.Equal(
            [("MCP", "w/northwind-product/settings/mcp"), ("Connected Apps", "w/northwind-product/settings/connected-apps"), ("Sign out", "account/logout")],
            items);
    }

    [Fact]
    public void The_workspace_switcher_lists_the_workspaces_and_manage_workspace_and_escape_closes_it()
    {
        var layout = Render<MainLayout>(parameters => parameters.Add(p => p.Body, (RenderFragment)(_ => { })));

        layout.WaitForElement("button.switcher").Click();
        Assert.Equal(["Acme Research", "Northwind Product", "Manage workspace"], layout.FindAll("[role=menuitem]").Select(a => a.TextContent));

        layout.Find("[role=menu]").KeyDown(new Microsoft.AspNetCore.Components.Web.KeyboardEventArgs { Key = "Escape" });
        Assert.Empty(layout.FindAll("[role=menu]"));
    }
}
