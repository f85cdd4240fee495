using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Perspective.Identity.KeyProtection;

/// <summary>
/// A certificate whose RSA key encrypts the keys the platform stores in its database. Each secret
/// gets its own AES-256-GCM key, which is itself encrypted with RSA-OAEP (SHA-256): RSA alone can
/// encrypt only a few hundred bytes, less than an RSA signing key takes.
/// </summary>
/// <remarks>
/// The encrypted form: format version (1 byte), length of the encrypted AES key (2 bytes, big-endian),
/// the encrypted AES key, the GCM nonce (12 bytes) and tag (16 bytes), the ciphertext.
/// </remarks>
public sealed class KeyEncryptionCertificate(X509Certificate2 certificate)
{
    private const byte FormatVersion = 1;
    private const int HeaderSize = 3;
    private const int AesKeySize = 32;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private static readonly RSAEncryptionPadding Padding = RSAEncryptionPadding.OaepSHA256;

    /// <summary>
    /// The SHA-256 fingerprint of the certificate in hexadecimal, as
    /// <c>openssl x509 -noout -fingerprint -sha256</c> prints it without the colons.
    /// </summary>
    public string Thumbprint { get; } = certificate.GetCertHashString(HashAlgorithmName.SHA256);

    public byte[] Encrypt(ReadOnlySpan<byte> secret)
    {
        var aesKey = RandomNumberGenerator.GetBytes(AesKeySize);
        try
        {
            using var rsa = certificate.GetRSAPublicKey()!;
            var encryptedKey = rsa.Encrypt(aesKey, Padding);

            var result = new byte[HeaderSize + encryptedKey.Length + NonceSize + TagSize + secret.Length];
            result[0] = FormatVersion;
            BinaryPrimitives.WriteUInt16BigEndian(result.AsSpan(1), checked((ushort)encryptedKey.Length));
            encryptedKey.CopyTo(result.AsSpan(HeaderSize));

            var body = result.AsSpan(HeaderSize + encryptedKey.Length);
            var nonce = body[..NonceSize];
            RandomNumberGenerator.Fill(nonce);
            using var aes = new AesGcm(aesKey, TagSize);
            aes.Encrypt(nonce, secret, ciphertext: body[(NonceSize + TagSize)..], tag: body.Slice(NonceSize, TagSize));
            return result;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(aesKey);
        }
    }

    /// <summary>Decrypts what <see cref="Encrypt"/> made with this certificate.</summary>
    /// <exception cref="CryptographicException">It was encrypted with another key, or altered.</exception>
    public byte[] Decrypt(ReadOnlySpan<byte> encrypted)
    {
        if (encrypted.Length < HeaderSize || encrypted[0] != FormatVersion)
        {
            throw new CryptographicException("The stored key is not in a format this version can decrypt.");
        }

        var encryptedKeyLength = BinaryPrimitives.ReadUInt16BigEndian(encrypted[1..]);
        if (encrypted.Length < HeaderSize + encryptedKeyLength + NonceSize + TagSize)
        {
            throw new CryptographicException("The stored key is truncated.");
        }

        using var rsa = certificate.GetRSAPrivateKey()!;
        var aesKey = rsa.Decrypt(encrypted.Slice(HeaderSize, encryptedKeyLength).ToArray(), Padding);
        try
        {
            var body = encrypted[(HeaderSize + encryptedKeyLength)..];
            var secret = new byte[body.Length - NonceSize - TagSize];
            using var aes = new AesGcm(aesKey, TagSize);
            aes.Decrypt(nonce: body[..NonceSize], ciphertext: body[(NonceSize + TagSize)..], tag: body.Slice(NonceSize, TagSize), plaintext: secret);
            return secret;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(aesKey);
        }
    }
}
