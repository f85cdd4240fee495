using System.ComponentModel;
using System.Security.Claims;
using ModelContextProtocol;
using ModelContextProtocol.Server;
using Perspective.McpHost.Content;

namespace Perspective.McpHost.Mcp.Tools;

[McpServerToolType]
public sealed class ConversationTools(WorkspaceContent content)
{
    private const string ConversationsList = "conversations";

    [McpServerTool(Name = "conversation_list", Title = "List conversations", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Lists the conversations a perspective has had, newest first: id, participant, start time and a one-line summary. " +
                 "Results are paged: pass next_page_token back as page_token for more. Use conversation_get for a full transcript.")]
    public async Task<ConversationListResult> ListConversations(
        ClaimsPrincipal user,
        [Description("The id of a workspace from workspace_list.")] string workspace_id,
        [Description("The id of a perspective from perspective_list in that workspace.")] string perspective_id,
        [Description("How many conversations to return, 1 to 100. Defaults to 20.")] int? page_size = null,
        [Description("The next_page_token of a previous conversation_list call, to continue where it stopped.")] string? page_token = null,
        CancellationToken cancellationToken = default)
    {
        var size = ToolPaging.PageSize(page_size);
        var after = ToolPaging.Cursor(page_token, ConversationsList);
        var workspace = user.Caller().Require(workspace_id);
        if (await content.FindPerspectiveAsync(workspace.Id, perspective_id, cancellationToken) is null)
        {
            throw PerspectiveTools.PerspectiveNotFound();
        }

        var page = await content.ListConversationsAsync(workspace.Id, perspective_id, after, size + 1, cancellationToken);
        var next = ToolPaging.NextToken(page, size, ConversationsList, c => (c.StartTime, c.Id));
        return new ConversationListResult(
            perspective_id, page.Select(c => new ConversationSummary(c.Id, c.Participant, c.StartTime, c.Summary)).ToList(), next);
    }

    [McpServerTool(Name = "conversation_get", Title = "Get a conversation", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Gets one conversation of a workspace with its participant, start time, summary and full transcript.")]
    public async Task<ConversationDetail> GetConversation(
        ClaimsPrincipal user,
        [Description("The id of a workspace from workspace_list.")] string workspace_id,
        [Description("The id of a conversation from conversation_list in that workspace.")] string conversation_id,
        CancellationToken cancellationToken = default)
    {
        var workspace = user.Caller().Require(workspace_id);
        var conversation = await content.FindConversationAsync(workspace.Id, conversation_id, cancellationToken)
            ?? throw new McpException("No conversation with that id exists in this workspace. Call conversation_list for the conversations you can use.");
        return new ConversationDetail(conversation.Id, conversation.PerspectiveId, workspace.Id.ToString(), conversation.Participant,
            conversation.StartTime, conversation.Summary, conversation.Transcript);
    }
}
