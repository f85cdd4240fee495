namespace Perspective.McpHost.Admin;

/// <summary>One admin call: who did what to which target, how it ended and when. Never holds a credential.</summary>
public sealed class AuditEvent
{
    public const int TargetMaxLength = 300;

    /// <summary>A version-7 GUID in "N" form, so ids sort by time.</summary>
    public required string Id { get; init; }

    public required string Actor { get; init; }

    public required string Action { get; init; }

    public required string Target { get; init; }

    /// <summary>How the call ended: the gRPC status name, OK for success (UNAUTHENTICATED, NOT_FOUND…).</summary>
    public required string Outcome { get; init; }

    /// <summary>UTC.</summary>
    public DateTime Time { get; init; }
}
