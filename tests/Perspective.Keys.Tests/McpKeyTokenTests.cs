using Perspective.Keys.Tokens;

namespace Perspective.Keys.Tests;

public sealed class McpKeyTokenTests
{
    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    [Fact]
    public void A_generated_token_has_the_documented_shape_and_validates()
    {
        var token = McpKeyToken.Generate();

        Assert.Equal(42, token.Length);
        Assert.StartsWith("pmk_", token, StringComparison.Ordinal);
        Assert.All(token[4..], c => Assert.Contains(c, Base62));
        Assert.True(McpKeyToken.IsWellFormed(token));
    }

    [Fact]
    public void The_checksum_catches_every_single_character_change()
    {
        var token = McpKeyToken.Generate();

        for (var position = McpKeyToken.Prefix.Length; position < token.Length; position++)
        {
            foreach (var replacement in Base62.Where(c => c != token[position]))
            {
                var changed = string.Concat(token.AsSpan(0, position), replacement.ToString(), token.AsSpan(position + 1));
                Assert.False(McpKeyToken.IsWellFormed(changed), $"{changed} passed although position {position} changed.");
            }
        }
    }

    [Fact]
    public void Swapping_two_neighbouring_characters_is_caught()
    {
        var token = McpKeyToken.Generate();
        for (var position = McpKeyToken.Prefix.Length; position < token.Length - 1; position++)
        {
            if (token[position] == token[position + 1])
            {
                continue;
            }

            var chars = token.ToCharArray();
            (chars[position], chars[position + 1]) = (chars[position + 1], chars[position]);
            Assert.False(McpKeyToken.IsWellFormed(new string(chars)));
        }
    }

    [Theory]
    [InlineData("pmx_")]
    [InlineData("PMK_")]
    [InlineData("ghp_")]
    public void A_wrong_prefix_is_rejected(string prefix)
    {
        var token = McpKeyToken.Generate();

        Assert.False(McpKeyToken.IsWellFormed(string.Concat(prefix, token.AsSpan(4))));
    }

    [Fact]
    public void A_wrong_length_is_rejected()
    {
        var token = McpKeyToken.Generate();

        Assert.False(McpKeyToken.IsWellFormed(token.AsSpan(0, token.Length - 1)));
        Assert.False(McpKeyToken.IsWellFormed(token + "0"));
        Assert.False(McpKeyToken.IsWellFormed(""));
        Assert.False(McpKeyToken.IsWellFormed("pmk_"));
    }

    [Theory]
    [InlineData('-')]
    [InlineData('_')]
    [InlineData(' ')]
    [InlineData('é')]
    [InlineData('٣')]
    public void A_character_outside_base62_is_rejected(char outsider)
    {
        var token = McpKeyToken.Generate().ToCharArray();
        token[10] = outsider;

        Assert.False(McpKeyToken.IsWellFormed(new string(token)));
    }

    [Fact]
    public void Two_million_tokens_share_no_twelve_character_beginning()
    {
        const int count = 2_000_000;
        var seen = new HashSet<UInt128>(count);

        for (var i = 0; i < count; i++)
        {
            var token = McpKeyToken.Generate();
            UInt128 beginning = 0;
            foreach (var c in token.AsSpan(McpKeyToken.Prefix.Length, 12))
            {
                beginning = beginning * 62 + (uint)Base62.IndexOf(c);
            }

            Assert.True(seen.Add(beginning), $"Token {i} repeats an earlier token's first 12 characters.");
        }
    }

    [Fact]
    public void Only_the_hash_and_the_last_four_characters_are_kept()
    {
        var token = McpKeyToken.Generate();

        var hash = TokenHashing.Hash(token);

        Assert.Equal(32, hash.Length);
        Assert.Equal(hash, TokenHashing.Hash(token));
        Assert.NotEqual(hash, TokenHashing.Hash(McpKeyToken.Generate()));
        Assert.Equal(token[^4..], TokenHashing.Hint(token));
        Assert.Equal($"pmk_…{token[^4..]}", TokenHashing.MaskKey(TokenHashing.Hint(token)));
    }
}
