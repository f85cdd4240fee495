using AngleSharp.Dom;
using Bunit;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Perspective.Keys.V1;
using Perspective.WebUi.Pages;
using Status = Grpc.Core.Status;

namespace Perspective.WebUi.Tests;

public sealed class McpPageTests : SettingsTestContext
{
    [Fact]
    public void A_key_is_listed_with_its_masked_token_workspaces_times_and_placeholder_setup()
    {
        Keys.Keys.Add(new McpKey
        {
            Id = "k1", Name = "Cursor", MaskedToken = "pmk_…a1B2",
            Workspaces = { new KeyWorkspace { Id = "w1", Name = "Acme Research", Reachable = true } },
            CreateTime = Timestamp.FromDateTime(new DateTime(2026, 1, 2, 3, 4, 0, DateTimeKind.Utc)),
        });

        var page = RenderMcpPage();

        var card = page.Find("article[aria-label='Key Cursor']");
        Assert.Contains("pmk_…a1B2", card.TextContent);
        Assert.Contains("Acme Research", card.TextContent);
        Assert.Contains("Never", card.TextContent);
        Assert.Contains("Bearer &lt;your-token&gt;", card.InnerHtml);
        Assert.DoesNotContain(page.FindAll("button"), b => b.TextContent.Contains("Regenerate", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void The_endpoint_and_header_form_come_from_the_service()
    {
        var page = RenderMcpPage();

        Assert.Equal(FakeKeys.Endpoint, page.Find("[data-testid=mcp-endpoint]").TextContent);
        Assert.Equal("Authorization: Bearer <your-token>", page.Find("[data-testid=mcp-header]").TextContent);
    }

    [Fact]
    public void The_legacy_section_appears_only_for_users_with_a_legacy_token()
    {
        var without = RenderMcpPage();
        Assert.Empty(without.FindAll("#legacy-heading"));

        Keys.Legacy = new LegacyToken { MaskedToken = "…9fQz", CreateTime = Timestamp.FromDateTime(DateTime.UtcNow) };
        var with = RenderMcpPage();

        var section = with.Find("section[aria-labelledby=legacy-heading]");
        Assert.Contains("…9fQz", section.TextContent);
        Assert.Contains("All workspaces", section.TextContent);
        Assert.Contains("Revoke", section.TextContent);
        Assert.Equal(["Revoke"], section.QuerySelectorAll("button").Select(b => b.TextContent));
    }

    [Fact]
    public void An_empty_name_or_no_workspace_is_caught_before_calling_the_service()
    {
        var page = RenderMcpPage();

        page.Find("form").Submit();
        Assert.Contains("Give the key a name", page.Find("#key-name-error").TextContent);

        page.Find("#key-name").Change("Claude Desktop");
        page.Find("form").Submit();
        Assert.Contains("Choose at least one workspace", page.Find("#key-workspaces-error").TextContent);
        Assert.Empty(Keys.Created);
    }

    [Theory]
    [InlineData("name", "#key-name-error")]
    [InlineData("workspace_ids", "#key-workspaces-error")]
    public void A_service_error_appears_next_to_the_field_it_concerns(string field, string where)
    {
        Keys.OnCreate = _ => Calls.Failing<CreateMcpKeyResponse>(Calls.FieldError(StatusCode.InvalidArgument, field, $"The service says no to {field}."));
        var page = RenderMcpPage();

        FillAndSubmit(page, "Claude Desktop");

        page.WaitForAssertion(() => Assert.Contains($"The service says no to {field}.", page.Find(where).TextContent));
    }

    [Fact]
    public void A_service_error_about_no_field_appears_above_the_button()
    {
        Keys.OnCreate = _ => Calls.Failing<CreateMcpKeyResponse>(new RpcException(new Status(StatusCode.ResourceExhausted, "You already have 100 keys.")));
        var page = RenderMcpPage();

        FillAndSubmit(page, "One too many");

        page.WaitForAssertion(() => Assert.Contains("You already have 100 keys.", page.Find("form [role=alert]").TextContent));
    }

    [Fact]
    public void The_reveal_dialog_shows_the_token_once_with_setups_and_closing_drops_it()
    {
        var page = RenderMcpPage();

        FillAndSubmit(page, "Claude Desktop");

        var dialog = page.WaitForElement("[role=dialog]");
        const string token = "pmk_abcdefghijklmnopqrstuvwxyzABCDEF012345";
        Assert.Equal(token, dialog.QuerySelector("#new-token")!.GetAttribute("value"));
        Assert.Contains("will not show it again", dialog.TextContent);
        Assert.Contains($"Bearer {token}", dialog.QuerySelector("[data-snippet=claude-desktop]")!.TextContent);
        Assert.Contains($"Authorization: Bearer {token}", dialog.QuerySelector("[data-snippet=claude-code]")!.TextContent);
        Assert.Contains($"Bearer {token}", dialog.QuerySelector("[data-snippet=cursor]")!.TextContent);

        dialog.QuerySelector("button[aria-label='Copy token']")!.Click();
        page.FindAll("button").Single(b => b.TextContent == "I have copied the token").Click();

        Assert.Empty(page.FindAll("[role=dialog]"));
        Assert.DoesNotContain(token[4..20], page.Markup);
        Assert.Contains("Claude Desktop", page.Find("#keys-heading").ParentElement!.TextContent);
    }

    [Fact]
    public void Deleting_asks_first_and_says_what_it_does()
    {
        Keys.Keys.Add(new McpKey { Id = "k9", Name = "Old laptop", MaskedToken = "pmk_…zzzz", CreateTime = Timestamp.FromDateTime(DateTime.UtcNow) });
        var page = RenderMcpPage();

        page.Find("button[aria-label='Delete key Old laptop']").Click();
        var confirm = page.Find("[role=alertdialog]");
        Assert.Contains("lose access immediately", confirm.TextContent);
        confirm.QuerySelectorAll("button").Single(b => b.TextContent == "Delete key").Click();

        page.WaitForAssertion(() => Assert.Empty(page.FindAll("article[aria-label='Key Old laptop']")));
        Assert.Empty(Keys.Keys);
    }
}
