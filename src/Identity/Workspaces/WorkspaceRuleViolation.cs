namespace Perspective.Identity.Workspaces;

/// <summary>Why a workspace or membership change was refused.</summary>
public enum WorkspaceRule
{
    InvalidSlug,
    InvalidName,
    SlugTaken,
    UnknownWorkspace,
    UnknownUser,
    AlreadyMember,
    NotMember,
    LastOwner,
}

/// <summary>
/// A change that would break a workspace rule. The message is written for the person who asked
/// for the change; the API layer maps <see cref="Rule"/> to a status code.
/// </summary>
public sealed class WorkspaceRuleViolation(WorkspaceRule rule, string message) : Exception(message)
{
    public WorkspaceRule Rule { get; } = rule;
}
