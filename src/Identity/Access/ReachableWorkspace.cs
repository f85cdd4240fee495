using Perspective.Identity.Workspaces;

namespace Perspective.Identity.Access;

/// <summary>
/// A workspace an MCP credential may reach, with the user's role in it. The rule every credential
/// lookup follows: the credential's scope (all of the user's workspaces, for a legacy token)
/// intersected with the user's memberships as they are in the database now, read on every request.
/// </summary>
public sealed record ReachableWorkspace(Guid Id, string Slug, string Name, MembershipRole Role);
