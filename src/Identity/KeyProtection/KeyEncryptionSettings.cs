using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Perspective.Platform.Hosting;

namespace Perspective.Identity.KeyProtection;

/// <summary>
/// Reads <c>Platform:KeyEncryption</c>: the current certificate and the retired ones. Outside
/// Development a certificate is required; in Development the host generates one in its data folder.
/// </summary>
public static class KeyEncryptionSettings
{
    public const string Section = "Platform:KeyEncryption";
    public const string CertificatePath = Section + ":CertificatePath";
    public const string KeyPath = Section + ":KeyPath";
    public const string CertificatePassword = Section + ":CertificatePassword";
    public const string RetiredCertificates = Section + ":RetiredCertificates";

    /// <summary>Loads and checks every configured certificate; a setting the host cannot use is an <see cref="InvalidSettingException"/>.</summary>
    public static KeyEncryptionCertificates Load(IConfiguration configuration, IHostEnvironment environment)
    {
        var contentRoot = environment.ContentRootPath;
        var (current, developmentCertificatePath) = configuration[CertificatePath] is { Length: > 0 } path
            ? (CertificateFiles.Load(new CertificateLocation(
                CertificatePath, path, KeyPath, configuration[KeyPath], CertificatePassword, configuration[CertificatePassword]), contentRoot), null)
            : environment.IsDevelopment()
                ? DevelopmentCertificate.LoadOrCreate(PlatformDataDirectory.EnsureCreated(configuration, environment))
                : throw new InvalidSettingException(CertificatePath,
                    "is not set: outside Development the keys stored in the database must be encrypted with an RSA certificate (PEM or PFX); see docs/secrets.md.");

        var retired = configuration.GetSection(RetiredCertificates).GetChildren()
            .Select(section => Retired(section, contentRoot))
            .ToList();
        return new KeyEncryptionCertificates(current, retired, developmentCertificatePath);
    }

    private static KeyEncryptionCertificate Retired(IConfigurationSection section, string contentRoot)
    {
        var prefix = $"{RetiredCertificates}:{section.Key}";
        if (string.IsNullOrWhiteSpace(section["Path"]))
        {
            throw new InvalidSettingException($"{prefix}:Path", "is not set: each retired certificate needs a Path (and a KeyPath or Password).");
        }

        return CertificateFiles.Load(new CertificateLocation(
            $"{prefix}:Path", section["Path"], $"{prefix}:KeyPath", section["KeyPath"], $"{prefix}:Password", section["Password"]), contentRoot);
    }
}
