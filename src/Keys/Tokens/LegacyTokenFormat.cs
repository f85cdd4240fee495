namespace Perspective.Keys.Tokens;

/// <summary>
/// Legacy tokens pre-date the <c>pmk_</c> format and have no checksum, so only their shape can be
/// checked before the hash lookup: printable ASCII without spaces, of a plausible length.
/// </summary>
public static class LegacyTokenFormat
{
    private const int MinLength = 16;
    private const int MaxLength = 256;

    public static bool IsPlausible(ReadOnlySpan<char> token)
    {
        if (token.Length is < MinLength or > MaxLength || token.StartsWith(McpKeyToken.Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in token)
        {
            if (c is <= ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
