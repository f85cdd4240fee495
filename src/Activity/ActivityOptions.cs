namespace Perspective.Activity;

/// <summary>Settings of the Activity module (configuration section <c>Activity</c>).</summary>
public sealed class ActivityOptions
{
    public const string Section = "Activity";

    /// <summary>How often the counts of reading tool calls are written (they are also written at shutdown).</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(30);
}
