using System.Security.Cryptography;
using System.Text;

namespace Perspective.Keys.Tokens;

/// <summary>
/// What is stored of a token: its SHA-256 hash, looked up through a unique index. Tokens carry
/// about 190 random bits, so a fast hash is right; a slow password hash would only add latency.
/// </summary>
public static class TokenHashing
{
    public const int HintLength = 4;

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>The last characters of the token, the only part ever shown again.</summary>
    public static string Hint(string token) => token[^HintLength..];

    public static string MaskKey(string hint) => $"{McpKeyToken.Prefix}…{hint}";

    public static string MaskLegacy(string hint) => $"…{hint}";
}
