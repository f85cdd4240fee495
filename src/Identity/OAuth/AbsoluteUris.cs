namespace Perspective.Identity.OAuth;

internal static class AbsoluteUris
{
    /// <summary>
    /// True for an absolute URI without a fragment, as redirect URIs and resource indicators must be.
    /// On Unix <see cref="Uri.TryCreate(string, UriKind, out Uri)"/> also reads "/path" as an absolute
    /// file URI, so the scheme has to be spelled out in the value itself.
    /// </summary>
    public static bool IsAbsoluteWithoutFragment(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && string.IsNullOrEmpty(uri.Fragment) &&
        value.StartsWith(uri.Scheme + ":", StringComparison.OrdinalIgnoreCase);
}
