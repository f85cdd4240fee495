using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Perspective.Identity.KeyProtection;

/// <summary>
/// The keys the platform keeps in its database (OAuth signing and token-encryption keys, the
/// data-protection key ring) are stored encrypted with a certificate from configuration; see docs/secrets.md.
/// </summary>
public static class KeyEncryption
{
    /// <summary>
    /// Loads the key-encryption certificates and registers them. Call it before anything creates a file or
    /// touches the database: a certificate the host cannot use stops it here (<see cref="Platform.Hosting.InvalidSettingException"/>).
    /// </summary>
    public static KeyEncryptionCertificates AddKeyEncryption(this IHostApplicationBuilder builder)
    {
        var certificates = KeyEncryptionSettings.Load(builder.Configuration, builder.Environment);
        builder.Services.AddSingleton(certificates);
        builder.Services.AddScoped<StoredKeyEncryption>();
        return certificates;
    }

    /// <summary>Encrypts every new data-protection key with the current key-encryption certificate.</summary>
    public static IDataProtectionBuilder ProtectKeysWith(this IDataProtectionBuilder dataProtection, KeyEncryptionCertificates certificates) =>
        dataProtection.AddKeyManagementOptions(options => options.XmlEncryptor = new CertificateXmlEncryptor(certificates));
}
