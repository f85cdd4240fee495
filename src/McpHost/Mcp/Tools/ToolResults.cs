using Perspective.Identity.Access;
using Perspective.Identity.Workspaces;
using Perspective.McpHost.Content;

namespace Perspective.McpHost.Mcp.Tools;

// What the tools return, serialized with snake_case names for the model to read. Tool parameters
// are snake_case in C# too, because the SDK names schema properties after the C# parameters.

public sealed record WorkspaceItem(string Id, string Slug, string Name, string Role)
{
    public static WorkspaceItem From(ReachableWorkspace workspace) =>
        new(workspace.Id.ToString(), workspace.Slug, workspace.Name, workspace.Role == MembershipRole.Owner ? "owner" : "member");
}

public sealed record WorkspaceListResult(IReadOnlyList<WorkspaceItem> Workspaces);

public sealed record PerspectiveSummary(string Id, string Title, string Status, DateTime CreateTime)
{
    public static PerspectiveSummary From(PerspectiveAgent perspective) =>
        new(perspective.Id, perspective.Title, StatusName(perspective.Status), perspective.CreateTime);

    public static string StatusName(PerspectiveStatus status) => status == PerspectiveStatus.Live ? "live" : "draft";
}

public sealed record PerspectiveListResult(string WorkspaceId, IReadOnlyList<PerspectiveSummary> Perspectives, string? NextPageToken);

public sealed record PerspectiveDetail(
    string Id, string WorkspaceId, string Title, string Description, string Status, DateTime CreateTime, int ConversationCount)
{
    public static PerspectiveDetail From(PerspectiveAgent perspective, int conversationCount) =>
        new(perspective.Id, perspective.WorkspaceId.ToString(), perspective.Title, perspective.Description,
            PerspectiveSummary.StatusName(perspective.Status), perspective.CreateTime, conversationCount);
}

public sealed record ConversationSummary(string Id, string Participant, DateTime StartTime, string Summary);

public sealed record ConversationListResult(string PerspectiveId, IReadOnlyList<ConversationSummary> Conversations, string? NextPageToken);

public sealed record ConversationDetail(
    string Id, string PerspectiveId, string WorkspaceId, string Participant, DateTime StartTime, string Summary, string Transcript);
