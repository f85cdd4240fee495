using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;

namespace Perspective.Identity.KeyProtection;

/// <summary>
/// Decrypts a stored data-protection key with the certificate that encrypted it, current or retired.
/// Data protection creates it by its type name, stored with every key: keep the name.
/// </summary>
public sealed class CertificateXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    public XElement Decrypt(XElement encryptedElement) =>
        EncryptedKeyXml.Decrypt(encryptedElement, services.GetRequiredService<KeyEncryptionCertificates>());
}
