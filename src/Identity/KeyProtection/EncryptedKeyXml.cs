using System.Text;
using System.Xml.Linq;

namespace Perspective.Identity.KeyProtection;

/// <summary>
/// A data-protection key's secret part encrypted with a key-encryption certificate:
/// <c>&lt;encryptedKey certificate="SHA-256 thumbprint"&gt;base64&lt;/encryptedKey&gt;</c>. The thumbprint
/// says which certificate can decrypt it, so a rotation knows what to re-encrypt.
/// </summary>
public static class EncryptedKeyXml
{
    public static readonly XName ElementName = XName.Get("encryptedKey", "urn:perspective-platform:key-encryption");
    private const string CertificateAttribute = "certificate";

    public static XElement Encrypt(XElement secret, KeyEncryptionCertificate certificate) =>
        new(ElementName,
            new XAttribute(CertificateAttribute, certificate.Thumbprint),
            Convert.ToBase64String(certificate.Encrypt(Encoding.UTF8.GetBytes(secret.ToString(SaveOptions.DisableFormatting)))));

    public static XElement Decrypt(XElement encrypted, KeyEncryptionCertificates certificates) =>
        XElement.Parse(Encoding.UTF8.GetString(certificates.Find(EncryptedWith(encrypted)).Decrypt(Convert.FromBase64String(encrypted.Value))));

    /// <summary>The thumbprint of the certificate that encrypted <paramref name="encrypted"/>.</summary>
    public static string EncryptedWith(XElement encrypted) =>
        (string?)encrypted.Attribute(CertificateAttribute) ?? throw new FormatException("An encrypted data-protection key names no certificate.");
}
