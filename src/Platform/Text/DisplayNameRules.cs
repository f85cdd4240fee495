using System.Buffers;
using System.Globalization;
using System.Text;

namespace Perspective.Platform.Text;

/// <summary>
/// Names that other people read (an app's name on the consent page, a key's name in Settings) must be
/// one line of visible text. Control characters and line or paragraph separators break the line;
/// format characters are invisible and can make a name read as something else: bidirectional overrides
/// and isolates (U+202A–U+202E, U+2066–U+2069) reorder what follows, marks (U+200E/F) and zero-width
/// characters (U+200B–U+200D, U+2060, U+FEFF) hide text or split look-alike names. All of Unicode's
/// format category is refused rather than a list, so newer invisible characters are covered too.
/// </summary>
public static class DisplayNameRules
{
    /// <summary>Null when <paramref name="value"/> is an acceptable name, otherwise why not, naming <paramref name="field"/>.</summary>
    /// <param name="field">How the caller calls the name, e.g. <c>client_name</c>; every message starts with it.</param>
    /// <param name="value">The name exactly as received (before any trimming, so a trailing line break is seen).</param>
    /// <param name="maxLength">The most UTF-16 code units the name may have.</param>
    public static string? Problem(string field, string value, int maxLength)
    {
        if (value.Length > maxLength)
        {
            return $"{field} must be at most {maxLength} characters.";
        }

        var rest = value.AsSpan();
        while (!rest.IsEmpty)
        {
            var position = value.Length - rest.Length + 1;
            if (Rune.DecodeFromUtf16(rest, out var rune, out var consumed) != OperationStatus.Done)
            {
                return $"{field} is not valid Unicode text: it has an unpaired surrogate at position {position}.";
            }

            if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
                or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator)
            {
                return $"{field} must be one line of visible text: U+{rune.Value:X4} at position {position} is a control, " +
                       "line-breaking or invisible formatting character (such as a bidirectional override or a zero-width character).";
            }

            rest = rest[consumed..];
        }

        return null;
    }

    /// <summary>Like <see cref="Problem"/>, for a name that must not be empty (pass it trimmed).</summary>
    public static string? RequiredProblem(string field, string value, int maxLength) =>
        value.Length == 0 ? $"{field} must be 1 to {maxLength} characters." : Problem(field, value, maxLength);

    /// <summary>
    /// Untrusted text made displayable by the same rule: every character <see cref="Problem"/> refuses (and
    /// any unpaired surrogate) dropped, trimmed, and cut to at most <paramref name="maxLength"/> UTF-16 code
    /// units without splitting a character. For names a client sends about itself, which are shown, not refused.
    /// </summary>
    public static string Visible(string value, int maxLength)
    {
        var kept = new StringBuilder(Math.Min(value.Length, maxLength * 2));
        var rest = value.AsSpan();
        while (!rest.IsEmpty)
        {
            var status = Rune.DecodeFromUtf16(rest, out var rune, out var consumed);
            if (status == OperationStatus.Done && Rune.GetUnicodeCategory(rune) is not (UnicodeCategory.Control or UnicodeCategory.Format
                    or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator))
            {
                kept.Append(rest[..consumed]);
            }

            rest = rest[consumed..];
        }

        var text = kept.ToString().Trim();
        if (text.Length <= maxLength)
        {
            return text;
        }

        var cut = char.IsHighSurrogate(text[maxLength - 1]) ? maxLength - 1 : maxLength;
        return text[..cut].TrimEnd();
    }
}
