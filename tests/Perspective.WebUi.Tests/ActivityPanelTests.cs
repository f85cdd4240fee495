using Bunit;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Perspective.Activity.V1;
using Perspective.Connectedapps.V1;
using Perspective.Keys.V1;
using Perspective.WebUi.Pages;

namespace Perspective.WebUi.Tests;

/// <summary>The "Activity" of a key card and of a connected app card.</summary>
public sealed class ActivityPanelTests : SettingsTestContext
{
    private static readonly Timestamp Created = Timestamp.FromDateTime(new DateTime(2026, 5, 6, 7, 8, 0, DateTimeKind.Utc));

    [Fact]
    public void A_key_s_activity_opens_from_its_card_and_lists_changes_and_daily_reads()
    {
        Keys.Keys.Add(new McpKey { Id = "k1", Name = "Claude Desktop", MaskedToken = "pmk_…abcd", CreateTime = Created });
        var answer = new ListMcpKeyActivityResponse
        {
            ToolCalls =
            {
                new ToolCall
                {
                    Id = "c1", Tool = "perspective_create", WorkspaceId = "w1", WorkspaceName = "Acme Research", ObjectId = "p-42",
                    Time = Created, Client = "claude-ai", Address = "203.0.113.7",
                },
            },
            DailyReads = { new DailyToolUse { Day = Timestamp.FromDateTime(new DateTime(2026, 5, 6, 0, 0, 0, DateTimeKind.Utc)), Tool = "perspective_list", Count = 12 } },
        };
        Keys.Activity["k1"] = _ => Calls.Of(answer);
        var page = Render<McpSettings>(parameters => parameters.Add(p => p.WorkspaceSlug, "acme-research"));
        var card = page.WaitForElement("article[aria-label='Key Claude Desktop']");

        var button = card.QuerySelector("button[aria-label='Activity of Claude Desktop']")!;
        Assert.Equal("false", button.GetAttribute("aria-expanded"));
        button.Click();

        var panel = page.WaitForElement("section[aria-label='Activity of Claude Desktop']");
        Assert.Equal("true", page.Find("button[aria-label='Activity of Claude Desktop']").GetAttribute("aria-expanded"));
        foreach (var shown in new[] { "perspective_create", "Acme Research", "p-42", "claude-ai", "203.0.113.7", "2026-05-06", "perspective_list", "12" })
        {
            Assert.Contains(shown, panel.TextContent);
        }
    }

    [Fact]
    public void Without_activity_the_panel_says_so()
    {
        ConnectedApps.Apps.Add(new ConnectedApp { Id = "a1", Name = "Cursor", ClientKind = ClientKind.Registered, RedirectHost = "127.0.0.1", ConnectTime = Created });
        var page = Render<ConnectedAppsSettings>(parameters => parameters.Add(p => p.WorkspaceSlug, "acme-research"));

        page.WaitForElement("button[aria-label='Activity of Cursor']").Click();

        Assert.Contains("No activity yet", page.WaitForElement("section[aria-label='Activity of Cursor']").TextContent);
    }

    [Fact]
    public void A_refusal_is_shown_with_the_service_s_message()
    {
        Keys.Keys.Add(new McpKey { Id = "k2", Name = "Old key", MaskedToken = "pmk_…wxyz", CreateTime = Created });
        Keys.Activity["k2"] = _ => Calls.Failing<ListMcpKeyActivityResponse>(
            new RpcException(new Status(StatusCode.NotFound, "You have no MCP key with that id. It may have been deleted.")));
        var page = Render<McpSettings>(parameters => parameters.Add(p => p.WorkspaceSlug, "acme-research"));

        page.WaitForElement("button[aria-label='Activity of Old key']").Click();

        Assert.Contains("It may have been deleted", page.WaitForElement("section[aria-label='Activity of Old key'] [role=alert]").TextContent);
    }

    [Fact]
    public void Older_changes_load_with_the_next_page_token()
    {
        Keys.Keys.Add(new McpKey { Id = "k3", Name = "Busy key", MaskedToken = "pmk_…busy", CreateTime = Created });
        Keys.Activity["k3"] = request => Calls.Of(request.PageToken == ""
            ? new ListMcpKeyActivityResponse { ToolCalls = { Call("newer") }, NextPageToken = "next" }
            : new ListMcpKeyActivityResponse { ToolCalls = { Call("older") } });
        var page = Render<McpSettings>(parameters => parameters.Add(p => p.WorkspaceSlug, "acme-research"));
        page.WaitForElement("button[aria-label='Activity of Busy key']").Click();

        page.WaitForElement("section[aria-label='Activity of Busy key'] button").Click();

        page.WaitForAssertion(() => Assert.Contains("older", page.Find("section[aria-label='Activity of Busy key']").TextContent));
        Assert.Contains("newer", page.Find("section[aria-label='Activity of Busy key']").TextContent);
    }

    private static ToolCall Call(string objectId) =>
        new() { Id = objectId, Tool = "perspective_create", WorkspaceId = "w1", ObjectId = objectId, Time = Created };
}
