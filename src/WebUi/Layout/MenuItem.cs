namespace Perspective.WebUi.Layout;

/// <summary>A link in a <see cref="MenuButton"/>'s menu; <see cref="Separator"/> draws a line between groups.</summary>
public sealed record MenuItem(string Text, string Href)
{
    public static readonly MenuItem Separator = new("", "");

    public bool IsSeparator => ReferenceEquals(this, Separator);
}
