namespace Perspective.Activity.Storage;

/// <summary>How many times one credential called one reading tool on one (UTC) day. Hosts add their counts to it.</summary>
public sealed class DailyToolReads
{
    /// <summary>One of <see cref="CredentialKinds"/>.</summary>
    public required string CredentialKind { get; init; }

    public required string CredentialId { get; init; }

    public required string Tool { get; init; }

    public DateOnly Day { get; init; }

    public required string UserId { get; init; }

    public long Count { get; set; }
}
