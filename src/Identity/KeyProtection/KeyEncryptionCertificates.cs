using Perspective.Platform.Hosting;

namespace Perspective.Identity.KeyProtection;

/// <summary>
/// The certificate that encrypts the keys stored in the database, and the retired ones that only
/// decrypt what was encrypted before a rotation.
/// </summary>
public sealed class KeyEncryptionCertificates(
    KeyEncryptionCertificate current, IReadOnlyList<KeyEncryptionCertificate> retired, string? developmentCertificatePath)
{
    public KeyEncryptionCertificate Current { get; } = current;

    /// <summary>Where the host keeps the certificate it generated itself (Development without a configured one); otherwise null.</summary>
    public string? DevelopmentCertificatePath { get; } = developmentCertificatePath;

    /// <summary>Decrypts a stored secret; <paramref name="encryptedWith"/> null means an earlier version stored it in the clear.</summary>
    public byte[] Decrypt(byte[] stored, string? encryptedWith) => encryptedWith is null ? stored : Find(encryptedWith).Decrypt(stored);

    /// <summary>The current or a retired certificate with this thumbprint.</summary>
    /// <exception cref="InvalidSettingException">Neither is configured: the host cannot read what it encrypted.</exception>
    public KeyEncryptionCertificate Find(string thumbprint) =>
        thumbprint == Current.Thumbprint
            ? Current
            : retired.FirstOrDefault(c => c.Thumbprint == thumbprint) ?? throw new InvalidSettingException(KeyEncryptionSettings.RetiredCertificates,
                $"does not list the certificate with SHA-256 thumbprint {thumbprint}, which encrypted keys stored in the database: " +
                "add it (Path with KeyPath or Password) so the host can re-encrypt them with the current certificate.");
}
