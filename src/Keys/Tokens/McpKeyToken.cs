using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;

namespace Perspective.Keys.Tokens;

/// <summary>
/// The MCP key token format: <c>pmk_</c> + 32 random base62 characters (about 190 bits from a
/// CSPRNG) + 6 base62 characters of the CRC32 of everything before them. The prefix lets secret
/// scanners find leaked keys; the checksum rejects typos and garbage before any database lookup.
/// </summary>
public static class McpKeyToken
{
    public const string Prefix = "pmk_";
    public const int RandomLength = 32;
    public const int ChecksumLength = 6;
    public const int Length = 4 + RandomLength + ChecksumLength;

    private const string Base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string Generate()
    {
        Span<char> token = stackalloc char[Length];
        Prefix.CopyTo(token);
        RandomNumberGenerator.GetItems(Base62, token.Slice(Prefix.Length, RandomLength));
        WriteChecksum(token[..^ChecksumLength], token[^ChecksumLength..]);
        return new string(token);
    }

    /// <summary>True when the token has the prefix, the length, the alphabet and a matching checksum.</summary>
    public static bool IsWellFormed(ReadOnlySpan<char> token)
    {
        if (token.Length != Length || !token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var body = token[Prefix.Length..];
        foreach (var c in body)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        Span<char> expected = stackalloc char[ChecksumLength];
        WriteChecksum(token[..^ChecksumLength], expected);
        return expected.SequenceEqual(token[^ChecksumLength..]);
    }

    private static void WriteChecksum(ReadOnlySpan<char> payload, Span<char> destination)
    {
        Span<byte> ascii = stackalloc byte[payload.Length];
        Encoding.ASCII.GetBytes(payload, ascii);
        Span<byte> crc = stackalloc byte[4];
        Crc32.Hash(ascii, crc);

        // CRC32 < 2^32 < 62^6, so six base62 digits always hold it.
        ulong value = BinaryPrimitives.ReadUInt32BigEndian(crc);
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = Base62[(int)(value % 62)];
            value /= 62;
        }
    }
}
