using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.Extensions.DependencyInjection;

namespace Perspective.WebUi.Tests;

/// <summary>The router's view for an address no page matches: titled, headed, in the usual frame, with a way home.</summary>
public sealed class NotFoundPageTests : SettingsTestContext
{
    [Theory]
    [InlineData("no-such-page")]
    [InlineData("w/acme-research/settings/no-such-page")]
    public void An_unknown_address_shows_page_not_found_with_its_title_and_a_link_to_the_workspaces(string address)
    {
        Services.GetRequiredService<NavigationManager>().NavigateTo(address);
        var head = Render<HeadOutlet>();

        var app = Render<App>();

        head.WaitForAssertion(() => Assert.Contains("<title>Page not found · Perspective</title>", head.Markup));
        var heading = Assert.Single(app.FindAll("main h1"));
        Assert.Equal("Page not found", heading.TextContent);
        var home = app.Find("main a");
        Assert.Equal("Back to your workspaces", home.TextContent);
        Assert.Equal("./", home.GetAttribute("href"));
        // The usual frame around it, so the sidebar's menus still lead elsewhere.
        app.WaitForElement("nav#sidebar button.profile-button");
    }

    [Fact]
    public void A_known_address_is_not_page_not_found()
    {
        var head = Render<HeadOutlet>();

        var app = Render<App>();

        head.WaitForAssertion(() => Assert.Contains("<title>Your workspaces · Perspective</title>", head.Markup));
        Assert.DoesNotContain("Page not found", app.Markup);
    }
}
