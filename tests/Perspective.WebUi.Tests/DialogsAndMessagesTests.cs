using AngleSharp.Dom;
using Bunit;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Perspective.Connectedapps.V1;
using Perspective.Keys.V1;
using Perspective.WebUi.Pages;
using Status = Grpc.Core.Status;

namespace Perspective.WebUi.Tests;

/// <summary>
/// Dialogs as WAI-ARIA modal dialogs, the copy confirmation of the one-time reveal, the create form's
/// messages, what every action announces, and an ended sign-in. Focus and Tab are the browser's (and the
/// dialog module's) part: the keyboard walk in the end-to-end tests covers them.
/// </summary>
public sealed class DialogsAndMessagesTests : SettingsTestContext
{
    private const string Token = "pmk_abcdefghijklmnopqrstuvwxyzABCDEF012345";
    private const string McpAddress = "w/acme-research/settings/mcp";

    private readonly BunitJSModuleInterop dialogs;

    public DialogsAndMessagesTests()
    {
        dialogs = JSInterop.SetupModule("./js/modal-dialog.js");
        Services.GetRequiredService<NavigationManager>().NavigateTo(McpAddress);
    }

    [Fact]
    public void The_reveal_is_a_labelled_modal_dialog_opened_as_a_modal_with_focus_on_the_token()
    {
        var page = RenderMcpPage();
        FillAndSubmit(page, "Claude Desktop");

        var dialog = page.WaitForElement("dialog[role=dialog]");
        Assert.Equal("true", dialog.GetAttribute("aria-modal"));
        Assert.Contains("Claude Desktop", page.Find($"#{dialog.GetAttribute("aria-labelledby")}").TextContent);
        Assert.Contains("will not show it again", page.Find($"#{dialog.GetAttribute("aria-describedby")}").TextContent);
        Assert.True(dialog.QuerySelector("#new-token")!.HasAttribute("autofocus"));
        Assert.Single(dialogs.Invocations["show"]);
    }

    [Fact]
    public void Escape_before_the_token_was_copied_asks_and_go_back_keeps_the_token()
    {
        var page = RenderMcpPage();
        FillAndSubmit(page, "Claude Desktop");

        page.WaitForElement("dialog[role=dialog]").KeyDown("Escape");

        var question = page.Find("dialog[role=alertdialog]");
        Assert.Equal("You have not copied the token. Close anyway?", page.Find($"#{question.GetAttribute("aria-labelledby")}").TextContent);
        Assert.Equal(["Go back", "Close without copying"], question.QuerySelectorAll("button").Select(b => b.TextContent));
        Assert.True(Button(question, "Go back").HasAttribute("autofocus"));

        Button(question, "Go back").Click();

        Assert.Empty(page.FindAll("dialog[role=alertdialog]"));
        Assert.Equal(Token, page.Find("#new-token").GetAttribute("value"));
    }

    [Fact]
    public void Escape_in_the_question_goes_back_too()
    {
        var page = RenderMcpPage();
        FillAndSubmit(page, "Claude Desktop");
        page.WaitForElement("dialog[role=dialog]").KeyDown("Escape");

        page.Find("dialog[role=alertdialog]").KeyDown("Escape");

        Assert.Empty(page.FindAll("dialog[role=alertdialog]"));
        Assert.Equal(Token, page.Find("#new-token").GetAttribute("value"));
    }

    [Fact]
    public void The_close_button_before_a_copy_asks_and_close_without_copying_drops_the_token()
    {
        var page = RenderMcpPage();
        FillAndSubmit(page, "Claude Desktop");

        Button(page.WaitForElement("dialog[role=dialog]"), "I have copied the token").Click();
        Button(page.Find("dialog[role=alertdialog]"), "Close without copying").Click();

        Assert.Empty(page.FindAll("dialog"));
        Assert.DoesNotContain(Token[4..20], page.Markup);
        Assert.Contains("#keys-heading", dialogs.Invocations["hide"].Select(call => call.Arguments[1]));
    }

    [Fact]
    public void After_the_copy_button_escape_closes_at_once()
    {
        var page = RenderMcpPage();
        FillAndSubmit(page, "Claude Desktop");
        var dialog = page.WaitForElement("dialog[role=dialog]");

        dialog.QuerySelector("button[aria-label='Copy token']")!.Click();
        page.Find("dialog[role=dialog]").KeyDown("Escape");

        Assert.Empty(page.FindAll("dialog"));
        Assert.Equal(Token, JSInterop.Invocations["navigator.clipboard.writeText"].Single().Arguments[0]);
    }

    [Fact]
    public void After_a_copy_from_the_token_field_or_a_setup_snippet_closing_needs_no_question()
    {
        var page = RenderMcpPage();
        FillAndSubmit(page, "Claude Desktop");
        page.WaitForElement("#new-token").TriggerEvent("oncopy", EventArgs.Empty);
        Button(page.Find("dialog[role=dialog]"), "I have copied the token").Click();
        Assert.Empty(page.FindAll("dialog"));

        FillAndSubmit(page, "Cursor");
        page.WaitForElement("dialog[role=dialog] button[aria-label='Copy Cursor configuration']").Click();
        Button(page.Find("dialog[role=dialog]"), "I have copied the token").Click();
        Assert.Empty(page.FindAll("dialog"));
    }

    [Fact]
    public void A_new_key_asks_again_even_if_the_last_one_was_copied()
    {
        var page = RenderMcpPage();
        FillAndSubmit(page, "First");
        page.WaitForElement("dialog[role=dialog] button[aria-label='Copy token']").Click();
        page.Find("dialog[role=dialog]").KeyDown("Escape");

        FillAndSubmit(page, "Second");
        page.WaitForElement("dialog[role=dialog]").KeyDown("Escape");

        Assert.Single(page.FindAll("dialog[role=alertdialog]"));
    }

    [Fact]
    public void The_delete_question_is_a_labelled_modal_alertdialog_starting_on_cancel_and_returning_focus_to_the_list()
    {
        AddKey("k9", "Old laptop");
        var page = RenderMcpPage();

        page.Find("button[aria-label='Delete key Old laptop']").Click();

        var question = page.Find("dialog[role=alertdialog]");
        Assert.Equal("true", question.GetAttribute("aria-modal"));
        Assert.Contains("Old laptop", page.Find($"#{question.GetAttribute("aria-labelledby")}").TextContent);
        Assert.Contains("lose access immediately", page.Find($"#{question.GetAttribute("aria-describedby")}").TextContent);
        Assert.True(Button(question, "Cancel").HasAttribute("autofocus"));

        question.KeyDown("Escape");
        Assert.Empty(page.FindAll("dialog"));
        Assert.Single(Keys.Keys);
        Assert.Equal("#keys-heading", dialogs.Invocations["hide"].Single().Arguments[1]);
    }

    [Fact]
    public void An_empty_form_shows_every_message_at_once()
    {
        var page = RenderMcpPage();
        Choose(page, "key-expiry", "Date");

        page.Find("form").Submit();

        Assert.Contains("Give the key a name", page.Find("#key-name-error").TextContent);
        Assert.Contains("Choose at least one workspace", page.Find("#key-workspaces-error").TextContent);
        Assert.Contains("Choose the day the key expires", page.Find("#key-expiry-error").TextContent);
        Assert.Equal("true", page.Find("#key-name").GetAttribute("aria-invalid"));
        Assert.Equal("key-name-error", page.Find("#key-name").GetAttribute("aria-describedby"));
        Assert.All(page.FindAll("input[type=checkbox]"), box =>
        {
            Assert.Equal("true", box.GetAttribute("aria-invalid"));
            Assert.Equal("key-workspaces-error", box.GetAttribute("aria-describedby"));
        });
        Assert.Equal("true", page.Find("#key-expiry-date").GetAttribute("aria-invalid"));
        Assert.Contains("key-expiry-error", page.Find("#key-expiry-date").GetAttribute("aria-describedby"));
        Assert.Empty(Keys.Created);
    }

    [Fact]
    public void Every_message_slot_is_in_the_page_before_any_message_so_nothing_moves()
    {
        var page = RenderMcpPage();

        Assert.All(["#key-name-error", "#key-workspaces-error", "#key-access-error", "#key-expiry-error"], slot =>
        {
            var element = page.Find(slot);
            Assert.Contains("field-error", element.ClassList);
            Assert.Equal("", element.TextContent.Trim());
        });
        Assert.Null(page.Find("#key-name").GetAttribute("aria-invalid"));
    }

    [Fact]
    public void A_service_already_exists_error_goes_at_the_next_submit()
    {
        Keys.OnCreate = _ => Calls.Failing<CreateMcpKeyResponse>(Calls.FieldError(StatusCode.AlreadyExists, "name", "You already have a key named 'Twice'."));
        var page = RenderMcpPage();
        FillAndSubmit(page, "Twice");
        page.WaitForAssertion(() => Assert.Contains("You already have a key named 'Twice'.", page.Find("#key-name-error").TextContent));
        Assert.Equal("true", page.Find("#key-name").GetAttribute("aria-invalid"));

        page.Find("input[type=checkbox]").Change(false);
        page.Find("form").Submit();

        Assert.Equal("", page.Find("#key-name-error").TextContent.Trim());
        Assert.Null(page.Find("#key-name").GetAttribute("aria-invalid"));
        Assert.Contains("Choose at least one workspace", page.Find("#key-workspaces-error").TextContent);
    }

    [Fact]
    public void Creating_announces_the_key_once_the_reveal_is_closed()
    {
        var page = RenderMcpPage();
        Assert.Equal("", page.Find("[role=status].action-status").TextContent);

        FillAndSubmit(page, "Claude Desktop");
        page.WaitForElement("dialog[role=dialog] button[aria-label='Copy token']").Click();
        Button(page.Find("dialog[role=dialog]"), "I have copied the token").Click();

        Assert.Equal("Key 'Claude Desktop' created.", page.Find("[role=status].action-status").TextContent);
    }

    [Fact]
    public void Deleting_announces_the_key_deleted()
    {
        AddKey("k9", "Old laptop");
        var page = RenderMcpPage();

        page.Find("button[aria-label='Delete key Old laptop']").Click();
        Button(page.Find("dialog[role=alertdialog]"), "Delete key").Click();

        page.WaitForAssertion(() => Assert.Equal("Key 'Old laptop' deleted.", page.Find("[role=status].action-status").TextContent));
        Assert.Empty(page.FindAll("dialog"));
    }

    [Fact]
    public void Revoking_announces_the_legacy_token_revoked()
    {
        Keys.Legacy = new LegacyToken { MaskedToken = "…9fQz", CreateTime = Timestamp.FromDateTime(DateTime.UtcNow) };
        var page = RenderMcpPage();

        Button(page.Find("section[aria-labelledby=legacy-heading]"), "Revoke").Click();
        Button(page.Find("dialog[role=alertdialog]"), "Revoke token").Click();

        page.WaitForAssertion(() => Assert.Equal("Legacy token revoked.", page.Find("[role=status].action-status").TextContent));
        Assert.Empty(page.FindAll("#legacy-heading"));
    }

    [Fact]
    public void Disconnecting_announces_the_app_disconnected_and_returns_focus_to_the_heading()
    {
        ConnectedApps.Apps.Add(new ConnectedApp
        {
            Id = "a1", Name = "Claude Code", ClientKind = ClientKind.Registered, RedirectHost = "127.0.0.1",
            ConnectTime = Timestamp.FromDateTime(DateTime.UtcNow),
        });
        var page = Render<ConnectedAppsSettings>(parameters => parameters.Add(p => p.WorkspaceSlug, "acme-research"));

        page.WaitForElement("button[aria-label='Disconnect Claude Code']").Click();
        Button(page.Find("dialog[role=alertdialog]"), "Disconnect").Click();

        page.WaitForAssertion(() => Assert.Equal("App 'Claude Code' disconnected.", page.Find("[role=status].action-status").TextContent));
        Assert.Equal("h1", dialogs.Invocations["hide"].Single().Arguments[1]);
    }

    [Fact]
    public void An_ended_sign_in_during_an_action_says_so_with_a_link_back_to_this_page()
    {
        AddKey("k9", "Old laptop");
        var page = RenderMcpPage();
        Keys.Failure = new RpcException(new Status(StatusCode.Unauthenticated, "Your sign-in has ended: the account signed out. Reload the page to sign in again."));

        page.Find("button[aria-label='Delete key Old laptop']").Click();
        Button(page.Find("dialog[role=alertdialog]"), "Delete key").Click();

        var alert = page.WaitForElement("dialog[role=alertdialog] [role=alert]");
        Assert.Equal("Your session has ended. Sign in again", alert.TextContent.Trim());
        Assert.Equal("account/login?ReturnUrl=%2Fw%2Facme-research%2Fsettings%2Fmcp", alert.QuerySelector("a")!.GetAttribute("href"));
        Assert.DoesNotContain("Reload the page", page.Markup);
    }

    [Fact]
    public void An_ended_sign_in_while_loading_says_so_with_a_link_back_to_this_page()
    {
        Keys.Failure = new RpcException(new Status(StatusCode.Unauthenticated, "Your sign-in has ended."));

        var page = Render<McpSettings>(parameters => parameters.Add(p => p.WorkspaceSlug, "acme-research"));

        var link = page.WaitForElement("[role=alert] a");
        Assert.Equal("Sign in again", link.TextContent);
        Assert.Equal("account/login?ReturnUrl=%2Fw%2Facme-research%2Fsettings%2Fmcp", link.GetAttribute("href"));
    }

    private void AddKey(string id, string name) =>
        Keys.Keys.Add(new McpKey { Id = id, Name = name, MaskedToken = "pmk_…zzzz", CreateTime = Timestamp.FromDateTime(DateTime.UtcNow) });

    private static IElement Button(IElement scope, string text) =>
        scope.QuerySelectorAll("button").Single(b => b.TextContent.Trim() == text);
}
