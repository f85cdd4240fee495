namespace Perspective.Identity.OAuth;

/// <summary>
/// A key of the authorization server, kept in the database so every host signs and validates
/// with the same keys and a restart invalidates nothing.
/// </summary>
public sealed class OAuthServerKey
{
    public const string SigningPurpose = "signing";
    public const string EncryptionPurpose = "encryption";

    /// <summary><see cref="SigningPurpose"/> (RSA, PKCS#8) or <see cref="EncryptionPurpose"/> (256-bit AES).</summary>
    public required string Purpose { get; init; }

    /// <summary>The key, encrypted with the certificate <see cref="EncryptedWithCertificate"/> names.</summary>
    public required byte[] KeyMaterial { get; set; }

    /// <summary>
    /// The SHA-256 thumbprint of the key-encryption certificate that encrypted <see cref="KeyMaterial"/>;
    /// null for a key an earlier version stored in the clear (encrypted at the next start).
    /// </summary>
    public string? EncryptedWithCertificate { get; set; }

    /// <summary>UTC.</summary>
    public DateTime CreateTime { get; init; }
}
