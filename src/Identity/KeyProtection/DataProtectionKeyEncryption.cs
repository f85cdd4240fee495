using System.Xml.Linq;

namespace Perspective.Identity.KeyProtection;

/// <summary>
/// Brings the secret parts of a stored data-protection key (its XML) under the current certificate:
/// parts an earlier version stored in the clear (data protection marks them <c>requiresEncryption</c>)
/// and parts encrypted with a retired certificate. The result is what data protection itself writes
/// with <see cref="CertificateXmlEncryptor"/>.
/// </summary>
public static class DataProtectionKeyEncryption
{
    private static readonly XNamespace DataProtection = "http://schemas.asp.net/2015/03/dataProtection";
    private static readonly XName RequiresEncryption = DataProtection + "requiresEncryption";
    private static readonly XName EncryptedSecret = DataProtection + "encryptedSecret";
    private const string DecryptorType = "decryptorType";

    /// <summary>Re-encrypts what is not under the current certificate; false when nothing was.</summary>
    public static bool EncryptWithCurrent(XElement key, KeyEncryptionCertificates certificates)
    {
        var current = certificates.Current;
        var clear = key.Descendants().Where(e => (bool?)e.Attribute(RequiresEncryption) == true).ToList();
        foreach (var secret in clear)
        {
            secret.ReplaceWith(new XElement(EncryptedSecret,
                new XAttribute(DecryptorType, typeof(CertificateXmlDecryptor).AssemblyQualifiedName!),
                EncryptedKeyXml.Encrypt(secret, current)));
        }

        var underRetired = key.Descendants(EncryptedKeyXml.ElementName).Where(e => EncryptedKeyXml.EncryptedWith(e) != current.Thumbprint).ToList();
        foreach (var encrypted in underRetired)
        {
            encrypted.ReplaceWith(EncryptedKeyXml.Encrypt(EncryptedKeyXml.Decrypt(encrypted, certificates), current));
        }

        return clear.Count + underRetired.Count > 0;
    }
}
