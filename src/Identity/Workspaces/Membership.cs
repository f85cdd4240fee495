using Perspective.Identity.Accounts;

namespace Perspective.Identity.Workspaces;

/// <summary>A user's membership of a workspace, the ground truth for every access decision.</summary>
public sealed class Membership
{
    public Guid WorkspaceId { get; init; }

    public required string UserId { get; init; }

    public MembershipRole Role { get; set; }

    /// <summary>UTC.</summary>
    public DateTime CreateTime { get; init; }

    public Workspace? Workspace { get; init; }

    public PlatformUser? User { get; init; }
}

public enum MembershipRole
{
    Member = 1,
    Owner = 2,
}
