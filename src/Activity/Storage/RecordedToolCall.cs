namespace Perspective.Activity.Storage;

/// <summary>One tool call that changed data, recorded when it happened. Never holds a token: credentials are named by kind and id.</summary>
public sealed class RecordedToolCall
{
    public const int ClientMaxLength = 64;

    /// <summary>A version-7 GUID in "N" form, so ids sort by time.</summary>
    public required string Id { get; init; }

    public required string UserId { get; init; }

    /// <summary>One of <see cref="CredentialKinds"/>.</summary>
    public required string CredentialKind { get; init; }

    /// <summary>The key's id, the connected app's (grant's) id, or the user's id for the legacy token.</summary>
    public required string CredentialId { get; init; }

    public required string Tool { get; init; }

    public Guid WorkspaceId { get; init; }

    /// <summary>The object the call created or changed (a perspective's id); null when the tool names none.</summary>
    public string? ObjectId { get; init; }

    /// <summary>UTC.</summary>
    public DateTime Time { get; init; }

    /// <summary>The client's name, one short visible line; empty when it gave none.</summary>
    public required string Client { get; init; }

    public required string Address { get; init; }
}
