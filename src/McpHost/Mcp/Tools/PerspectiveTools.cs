using System.ComponentModel;
using System.Security.Claims;
using ModelContextProtocol;
using ModelContextProtocol.Server;
using Perspective.McpHost.Content;
using Perspective.Platform.Text;

namespace Perspective.McpHost.Mcp.Tools;

[McpServerToolType]
public sealed class PerspectiveTools(WorkspaceContent content)
{
    private const string PerspectivesList = "perspectives";

    [McpServerTool(Name = "perspective_list", Title = "List perspectives", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Lists the perspectives (conversation agents) of a workspace, newest first: id, title, status (draft or live) and creation time. " +
                 "Results are paged: pass next_page_token back as page_token for more.")]
    public async Task<PerspectiveListResult> ListPerspectives(
        ClaimsPrincipal user,
        [Description("The id of a workspace from workspace_list.")] string workspace_id,
        [Description("How many perspectives to return, 1 to 100. Defaults to 20.")] int? page_size = null,
        [Description("The next_page_token of a previous perspective_list call, to continue where it stopped.")] string? page_token = null,
        CancellationToken cancellationToken = default)
    {
        var size = ToolPaging.PageSize(page_size);
        var after = ToolPaging.Cursor(page_token, PerspectivesList);
        var workspace = user.Caller().Require(workspace_id);

        var page = await content.ListPerspectivesAsync(workspace.Id, after, size + 1, cancellationToken);
        var next = ToolPaging.NextToken(page, size, PerspectivesList, p => (p.CreateTime, p.Id));
        return new PerspectiveListResult(workspace.Id.ToString(), page.Select(PerspectiveSummary.From).ToList(), next);
    }

    [McpServerTool(Name = "perspective_get", Title = "Get a perspective", ReadOnly = true, Idempotent = true, OpenWorld = false)]
    [Description("Gets one perspective of a workspace: its title, full description, status, creation time and how many conversations it has had.")]
    public async Task<PerspectiveDetail> GetPerspective(
        ClaimsPrincipal user,
        [Description("The id of a workspace from workspace_list.")] string workspace_id,
        [Description("The id of a perspective from perspective_list in that workspace.")] string perspective_id,
        CancellationToken cancellationToken = default)
    {
        var workspace = user.Caller().Require(workspace_id);
        var perspective = await content.FindPerspectiveAsync(workspace.Id, perspective_id, cancellationToken) ?? throw PerspectiveNotFound();
        return PerspectiveDetail.From(perspective, await content.CountConversationsAsync(workspace.Id, perspective.Id, cancellationToken));
    }

    [McpServerTool(Name = "perspective_create", Title = "Create a perspective", ReadOnly = false, Destructive = false, Idempotent = false, OpenWorld = false)]
    [Description("Creates a perspective (a conversation agent) in a workspace. It starts as a draft unless status is 'live'. Returns the new perspective.")]
    public async Task<PerspectiveDetail> CreatePerspective(
        ClaimsPrincipal user,
        [Description("The id of a workspace from workspace_list.")] string workspace_id,
        [Description("A short title, 1 to 120 characters, such as 'Onboarding friction interviews'.")] string title,
        [Description("What the perspective asks about and whom it talks to, up to 2000 characters.")] string description,
        [Description("'draft' (the default) or 'live'.")] string? status = null,
        CancellationToken cancellationToken = default)
    {
        title = title.Trim();
        description = description.Trim();
        if (DisplayNameRules.RequiredProblem("title", title, PerspectiveAgent.TitleMaxLength) is { } problem)
        {
            throw new McpException(problem);
        }

        if (description.Length > PerspectiveAgent.DescriptionMaxLength)
        {
            throw new McpException($"description must be at most {PerspectiveAgent.DescriptionMaxLength} characters.");
        }

        var parsedStatus = status?.Trim().ToLowerInvariant() switch
        {
            null or "" or "draft" => PerspectiveStatus.Draft,
            "live" => PerspectiveStatus.Live,
            _ => throw new McpException("status must be 'draft' or 'live'."),
        };

        var workspace = user.Caller().Require(workspace_id);
        var perspective = await content.CreatePerspectiveAsync(workspace.Id, title, description, parsedStatus, cancellationToken);
        return PerspectiveDetail.From(perspective, conversationCount: 0);
    }

    internal static McpException PerspectiveNotFound() =>
        new("No perspective with that id exists in this workspace. Call perspective_list for the perspectives you can use.");
}
