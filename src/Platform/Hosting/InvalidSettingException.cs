namespace Perspective.Platform.Hosting;

/// <summary>
/// A setting the host cannot start with. The host prints <see cref="Exception.Message"/> as one line
/// and exits before it has created or changed anything, so the message names the setting and says what to fix.
/// </summary>
public sealed class InvalidSettingException(string setting, string problem)
    : Exception($"Cannot start: {setting} {problem}")
{
    /// <summary>The configuration key at fault, as an operator writes it (e.g. <c>Platform:PublicBaseUrl</c>).</summary>
    public string Setting { get; } = setting;
}
