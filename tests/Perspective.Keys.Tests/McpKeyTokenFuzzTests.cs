using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using CsCheck;
using Perspective.Keys.Tokens;

namespace Perspective.Keys.Tests;

/// <summary>
/// The token parser sees whatever follows "Bearer ": for any string it must agree with the format
/// as documented (prefix, length, base62, CRC32 checksum), computed here independently, and never
/// throw. A failure prints the seed that replays it.
/// </summary>
public sealed class McpKeyTokenFuzzTests
{
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private static readonly Gen<string> NearlyTokens = Gen.OneOf(
        Gen.String[0, 60],
        Gen.String[0, 60].Select(s => "pmk_" + s),
        Gen.Char[Base62].Array[38].Select(chars => "pmk_" + new string(chars)),
        Gen.Select(Gen.Int[0, McpKeyToken.Length - 1], Gen.Char).Select((at, c) =>
        {
            var token = McpKeyToken.Generate().ToCharArray();
            token[at] = c;
            return new string(token);
        }));

    [Fact]
    public void The_parser_agrees_with_the_documented_format_for_any_string() =>
        NearlyTokens.Sample(token => Assert.Equal(Documented(token), McpKeyToken.IsWellFormed(token)), iter: 20_000);

    [Fact]
    public void Every_generated_token_is_well_formed_and_a_changed_one_is_not() =>
        Gen.Select(Gen.Int[McpKeyToken.Prefix.Length, McpKeyToken.Length - 1], Gen.Char[Base62]).Sample((at, replacement) =>
        {
            var token = McpKeyToken.Generate();
            Assert.True(McpKeyToken.IsWellFormed(token));
            var changed = token.ToCharArray();
            changed[at] = replacement;
            Assert.Equal(replacement == token[at], McpKeyToken.IsWellFormed(new string(changed)));
        }, iter: 5_000);

    [Fact]
    public void A_legacy_token_is_plausible_exactly_when_it_is_printable_ascii_of_a_plausible_length() =>
        Gen.String[0, 300].Sample(token => Assert.Equal(
            token.Length is >= 16 and <= 256 && !token.StartsWith("pmk_", StringComparison.Ordinal) && token.All(c => c is > ' ' and <= '~'),
            LegacyTokenFormat.IsPlausible(token)), iter: 5_000);

    /// <summary>The format from the README: pmk_ + 32 base62 + 6 base62 digits of the CRC32 of the rest.</summary>
    private static bool Documented(string token)
    {
        if (token.Length != 42 || !token.StartsWith("pmk_", StringComparison.Ordinal) || !token[4..].All(Base62.Contains))
        {
            return false;
        }

        var crc = BinaryPrimitives.ReadUInt32BigEndian(Crc32.Hash(Encoding.ASCII.GetBytes(token[..36])));
        var digits = new char[6];
        for (var i = 5; i >= 0; i--, crc /= 62)
        {
            digits[i] = Base62[(int)(crc % 62)];
        }

        return token[36..] == new string(digits);
    }
}
