using System.Globalization;
using CsCheck;
using Perspective.Platform.Text;

namespace Perspective.IntegrationTests.HostileInput;

public sealed class DisplayNameRulesTests
{
    /// <summary>What the hostile-input issue lists: bidirectional controls, zero-width characters, separators and controls.</summary>
    private static readonly char[] Listed =
    [
        '\u202A', '\u202B', '\u202C', '\u202D', '\u202E', '\u2066', '\u2067', '\u2068', '\u2069', '\u200E', '\u200F',
        '\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u2028', '\u2029',
        '\u0000', '\u0001', '\u0007', '\u0008', '\t', '\n', '\u000B', '\u000C', '\r', '\u001B', '\u001F', '\u007F', '\u0080', '\u0085', '\u009F',
    ];

    public static TheoryData<char> ListedCharacters => new(Listed);

    [Theory]
    [MemberData(nameof(ListedCharacters))]
    public void Every_listed_character_is_refused_wherever_it_is_with_a_message_naming_the_field(char c)
    {
        foreach (var name in new[] { $"{c}Name", $"Na{c}me", $"Name{c}", $"{c}" })
        {
            var problem = DisplayNameRules.Problem("client_name", name, 200);

            Assert.NotNull(problem);
            Assert.StartsWith("client_name ", problem, StringComparison.Ordinal);
            Assert.Contains($"U+{(int)c:X4}", problem, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("Claude Code")]
    [InlineData("Café Client — v2.1 (beta)")]
    [InlineData("日本語のクライアント")]
    [InlineData("عميل MCP")]
    [InlineData("клиент 😀 🚀")]
    [InlineData("e\u0301 combining marks")]
    [InlineData("no\u00A0break\u3000spaces")]
    [InlineData("")]
    public void Ordinary_names_in_any_script_pass(string name) =>
        Assert.Null(DisplayNameRules.Problem("name", name, 200));

    [Fact]
    public void Invisible_characters_outside_the_basic_plane_are_refused_too() =>
        Assert.Contains("U+E0001", DisplayNameRules.Problem("name", "tag\U000E0001ged", 200), StringComparison.Ordinal);

    [Fact]
    public void An_unpaired_surrogate_is_refused() =>
        Assert.Contains("unpaired surrogate", DisplayNameRules.Problem("name", "bad\uD800", 200), StringComparison.Ordinal);

    [Fact]
    public void The_length_limit_is_inclusive()
    {
        Assert.Null(DisplayNameRules.Problem("name", new string('a', 200), 200));
        Assert.Equal("name must be at most 200 characters.", DisplayNameRules.Problem("name", new string('a', 201), 200));
    }

    [Fact]
    public void Any_visible_name_passes_and_stops_passing_once_a_listed_character_is_inserted()
    {
        var visible = Gen.Char.Where(c => !char.IsSurrogate(c) && char.GetUnicodeCategory(c) is not
            (UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator));
        var names = visible.Array[0, 40].Select(chars => new string(chars));

        Gen.Select(names, Gen.OneOf(Listed), Gen.Int[0, 40]).Sample((name, c, at) =>
        {
            Assert.Null(DisplayNameRules.Problem("name", name, 200));
            Assert.NotNull(DisplayNameRules.Problem("name", name.Insert(Math.Min(at, name.Length), c.ToString()), 200));
        }, iter: 5_000);
    }
}
