using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using Perspective.Identity.Storage;

namespace Perspective.Identity.KeyProtection;

/// <summary>
/// At start, brings every key stored in the database under the current key-encryption certificate:
/// keys an earlier version stored in the clear, and keys encrypted with a retired certificate. After one
/// start the retired certificate is no longer needed. Runs under the startup lock, before the keys are loaded.
/// </summary>
public sealed class StoredKeyEncryption(IdentityDataContext db, KeyEncryptionCertificates certificates, ILogger<StoredKeyEncryption> logger)
{
    public void EncryptWithCurrentCertificate()
    {
        if (certificates.DevelopmentCertificatePath is { } path)
        {
            logger.LogWarning("Stored keys are encrypted with a development certificate this host generated ({Path}); outside Development set {Setting}",
                path, KeyEncryptionSettings.CertificatePath);
        }

        var current = certificates.Current;
        var encrypted = 0;
        foreach (var key in db.OAuthServerKeys.Where(k => k.EncryptedWithCertificate != current.Thumbprint).ToList())
        {
            key.KeyMaterial = current.Encrypt(certificates.Decrypt(key.KeyMaterial, key.EncryptedWithCertificate));
            key.EncryptedWithCertificate = current.Thumbprint;
            encrypted++;
        }

        foreach (var key in db.DataProtectionKeys.ToList())
        {
            if (key.Xml is null)
            {
                continue;
            }

            var xml = XElement.Parse(key.Xml);
            if (DataProtectionKeyEncryption.EncryptWithCurrent(xml, certificates))
            {
                key.Xml = xml.ToString(SaveOptions.DisableFormatting);
                encrypted++;
            }
        }

        if (encrypted > 0)
        {
            db.SaveChanges();
            logger.LogInformation("Encrypted {Count} stored keys with the key-encryption certificate {Thumbprint}", encrypted, current.Thumbprint);
        }
    }
}
