using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;

namespace Perspective.Identity.KeyProtection;

/// <summary>Encrypts each new data-protection key with the current key-encryption certificate before it is stored.</summary>
public sealed class CertificateXmlEncryptor(KeyEncryptionCertificates certificates) : IXmlEncryptor
{
    public EncryptedXmlInfo Encrypt(XElement plaintextElement) =>
        new(EncryptedKeyXml.Encrypt(plaintextElement, certificates.Current), typeof(CertificateXmlDecryptor));
}
