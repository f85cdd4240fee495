using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Perspective.WebUi.Layout;

namespace Perspective.WebUi.Tests;

/// <summary>The sidebar's menus by keyboard, as the WAI-ARIA menu button pattern has it.</summary>
public sealed class MenuKeyboardTests : SettingsTestContext
{
    private const string Switcher = "button.switcher";

    private int focusCallsSeen;

    [Fact]
    public void A_closed_menu_button_says_false_and_an_open_one_true_and_names_its_menu()
    {
        var layout = RenderLayout();
        var button = layout.WaitForElement(Switcher);
        Assert.Equal("menu", button.GetAttribute("aria-haspopup"));
        Assert.Equal("false", button.GetAttribute("aria-expanded"));

        button.Click();

        button = layout.Find(Switcher);
        Assert.Equal("true", button.GetAttribute("aria-expanded"));
        Assert.Equal(layout.Find("[role=menu]").Id, button.GetAttribute("aria-controls"));
        Assert.Equal("false", layout.Find("button.profile-button").GetAttribute("aria-expanded"));
    }

    [Fact]
    public void Arrow_down_opens_at_the_first_item_and_arrow_up_at_the_last()
    {
        var layout = RenderLayout();

        layout.WaitForElement(Switcher).KeyDown(Key("ArrowDown"));
        AssertFocused(layout, "Acme Research");

        layout.Find("[role=menu]").KeyDown(Key("Escape"));
        layout.Find(Switcher).KeyDown(Key("ArrowUp"));
        AssertFocused(layout, "Manage workspace");
    }

    [Fact]
    public void Enter_or_space_reach_the_button_as_a_click_and_open_at_the_first_item()
    {
        var layout = RenderLayout();

        layout.WaitForElement(Switcher).Click();

        AssertFocused(layout, "Acme Research");
    }

    [Fact]
    public void Arrows_move_through_the_items_wrapping_and_home_and_end_jump()
    {
        var layout = RenderLayout();
        layout.WaitForElement(Switcher).KeyDown(Key("ArrowDown"));
        var menu = layout.Find("[role=menu]");

        menu.KeyDown(Key("ArrowDown"));
        AssertFocused(layout, "Northwind Product");
        menu.KeyDown(Key("ArrowDown"));
        AssertFocused(layout, "Manage workspace");
        menu.KeyDown(Key("ArrowDown"));
        AssertFocused(layout, "Acme Research");
        menu.KeyDown(Key("ArrowUp"));
        AssertFocused(layout, "Manage workspace");
        menu.KeyDown(Key("Home"));
        AssertFocused(layout, "Acme Research");
        menu.KeyDown(Key("End"));
        AssertFocused(layout, "Manage workspace");
    }

    [Fact]
    public void Escape_closes_and_returns_focus_to_the_button()
    {
        var layout = RenderLayout();
        layout.WaitForElement(Switcher).KeyDown(Key("ArrowDown"));

        layout.Find("[role=menu]").KeyDown(Key("Escape"));

        Assert.Empty(layout.FindAll("[role=menu]"));
        Assert.Equal("false", layout.Find(Switcher).GetAttribute("aria-expanded"));
        AssertFocusMovedOutOfTheMenu(focusCallsBefore: 1);
    }

    [Fact]
    public void Tab_and_a_press_outside_close_the_menu()
    {
        var layout = RenderLayout();
        layout.WaitForElement(Switcher).KeyDown(Key("ArrowDown"));
        layout.Find("[role=menu]").KeyDown(Key("Tab"));
        Assert.Empty(layout.FindAll("[role=menu]"));

        layout.Find("button.profile-button").Click();
        Assert.Single(layout.FindAll("[role=menu]"));
        JSInterop.VerifyInvoke("perspective.watchOutside", calledTimes: 2);
        var profileMenu = layout.FindComponents<MenuButton>().Single(m => m.Instance.IsOpen);
        profileMenu.InvokeAsync(profileMenu.Instance.CloseFromOutside);
        Assert.Empty(layout.FindAll("[role=menu]"));
    }

    [Fact]
    public void On_a_narrow_screen_the_menu_button_shows_the_navigation_and_escape_closes_it_and_returns_focus()
    {
        var layout = RenderLayout();
        var toggle = layout.WaitForElement("button.nav-toggle");
        Assert.Equal("false", toggle.GetAttribute("aria-expanded"));
        Assert.Equal("sidebar", toggle.GetAttribute("aria-controls"));
        Assert.DoesNotContain("open", layout.Find("nav#sidebar").ClassList);

        toggle.Click();
        Assert.Equal("true", layout.Find("button.nav-toggle").GetAttribute("aria-expanded"));
        Assert.Contains("open", layout.Find("nav#sidebar").ClassList);

        // Escape inside an open menu closes only the menu.
        layout.Find(Switcher).KeyDown(Key("ArrowDown"));
        layout.Find("[role=menu]").KeyDown(Key("Escape"));
        Assert.Contains("open", layout.Find("nav#sidebar").ClassList);

        var focusCalls = FocusCalls().Count;
        layout.Find("nav#sidebar").KeyDown(Key("Escape"));
        Assert.Equal("false", layout.Find("button.nav-toggle").GetAttribute("aria-expanded"));
        Assert.Equal(focusCalls + 1, FocusCalls().Count);
    }

    private IRenderedComponent<MainLayout> RenderLayout() =>
        Render<MainLayout>(parameters => parameters.Add(p => p.Body, (RenderFragment)(_ => { })));

    private static KeyboardEventArgs Key(string key) => new() { Key = key };

    // bUnit on .NET 10 leaves element references out of the markup, so the item focus went to is told by its
    // roving tab stop, checked together with a fresh focus call.
    private void AssertFocused(IRenderedComponent<MainLayout> layout, string item)
    {
        Assert.Equal([item], layout.FindAll("[role=menuitem][tabindex='0']").Select(a => a.TextContent));
        Assert.Equal(layout.FindAll("[role=menuitem]").Count - 1, layout.FindAll("[role=menuitem][tabindex='-1']").Count);
        Assert.True(FocusCalls().Count > focusCallsSeen, "No element was focused.");
        focusCallsSeen = FocusCalls().Count;
    }

    // Focus went to an element other than every item focused before.
    private void AssertFocusMovedOutOfTheMenu(int focusCallsBefore)
    {
        var calls = FocusCalls();
        Assert.Equal(focusCallsBefore + 1, calls.Count);
        var target = ((ElementReference)calls[^1].Arguments[0]!).Id;
        Assert.DoesNotContain(target, calls.SkipLast(1).Select(c => ((ElementReference)c.Arguments[0]!).Id));
    }

    private List<JSRuntimeInvocation> FocusCalls() =>
        JSInterop.Invocations.Where(i => i.Identifier == "Blazor._internal.domWrapper.focus").ToList();
}
