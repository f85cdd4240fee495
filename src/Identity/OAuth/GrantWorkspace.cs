namespace Perspective.Identity.OAuth;

/// <summary>A workspace the user chose at consent for one OAuth authorization (a connected app).</summary>
public sealed class GrantWorkspace
{
    public required string AuthorizationId { get; init; }

    public Guid WorkspaceId { get; init; }
}
