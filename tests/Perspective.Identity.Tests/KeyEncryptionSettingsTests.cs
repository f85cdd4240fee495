using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Perspective.Identity.KeyProtection;
using Perspective.Platform.Hosting;
using Perspective.Tests.Shared;

namespace Perspective.Identity.Tests;

/// <summary>
/// Which key-encryption certificates a host starts with, and the one line it refuses with when it
/// cannot use one: always naming the setting to fix, before anything is created.
/// </summary>
public sealed class KeyEncryptionSettingsTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("perspective-key-encryption-").FullName;

    private string DataDirectory => Path.Combine(directory, "data");

    [Fact]
    public void Outside_development_a_certificate_is_required_and_nothing_is_created_without_one()
    {
        var refused = Refused(Environments.Production);

        Assert.Equal(KeyEncryptionSettings.CertificatePath, refused.Setting);
        Assert.StartsWith("Cannot start: Platform:KeyEncryption:CertificatePath is not set", refused.Message);
        Assert.False(Directory.Exists(DataDirectory));
        Assert.Equal(KeyEncryptionSettings.CertificatePath, Refused(Environments.Staging).Setting);
    }

    [Fact]
    public void A_pem_certificate_with_its_key_apart_or_in_the_same_file_is_loaded()
    {
        var pem = TestKeyEncryptionCertificates.CreatePem(directory, "current");
        var combined = Path.Combine(directory, "combined.pem");
        File.WriteAllText(combined, File.ReadAllText(pem.CertificatePath) + "\n" + File.ReadAllText(pem.KeyPath));

        Assert.Equal(pem.Thumbprint, Load(Environments.Production, [.. pem.AsCurrent()]).Current.Thumbprint);
        Assert.Equal(pem.Thumbprint, Load(Environments.Production, (KeyEncryptionSettings.CertificatePath, combined)).Current.Thumbprint);
    }

    [Fact]
    public void A_pfx_is_loaded_with_its_password()
    {
        var pfx = TestKeyEncryptionCertificates.CreatePfx(directory, "current", "correct horse");

        var certificates = Load(Environments.Production, (KeyEncryptionSettings.CertificatePath, pfx), (KeyEncryptionSettings.CertificatePassword, "correct horse"));

        using var expected = X509CertificateLoader.LoadPkcs12FromFile(pfx, "correct horse");
        Assert.Equal(expected.GetCertHashString(HashAlgorithmName.SHA256), certificates.Current.Thumbprint);
    }

    [Fact]
    public void A_certificate_the_host_cannot_use_is_refused_naming_the_setting_to_fix()
    {
        var pem = TestKeyEncryptionCertificates.CreatePem(directory, "current");
        var pfx = TestKeyEncryptionCertificates.CreatePfx(directory, "pfx", "correct horse");
        var ecdsa = TestKeyEncryptionCertificates.CreateEcdsaPem(directory, "ecdsa");
        var small = TestKeyEncryptionCertificates.CreatePem(directory, "small", keySize: 1024);
        var garbage = Path.Combine(directory, "garbage.bin");
        File.WriteAllBytes(garbage, RandomNumberGenerator.GetBytes(600));
        var missing = Path.Combine(directory, "missing.pem");

        AssertRefused(KeyEncryptionSettings.CertificatePath, "does not exist", (KeyEncryptionSettings.CertificatePath, missing));
        AssertRefused(KeyEncryptionSettings.KeyPath, "does not exist", (KeyEncryptionSettings.CertificatePath, pem.CertificatePath), (KeyEncryptionSettings.KeyPath, missing));
        AssertRefused(KeyEncryptionSettings.CertificatePath, "without its private key", (KeyEncryptionSettings.CertificatePath, pem.CertificatePath));
        AssertRefused(KeyEncryptionSettings.KeyPath, "holds no unencrypted private key",
            (KeyEncryptionSettings.CertificatePath, pem.CertificatePath), (KeyEncryptionSettings.KeyPath, small.KeyPath));
        AssertRefused(KeyEncryptionSettings.CertificatePassword, "the password is wrong",
            (KeyEncryptionSettings.CertificatePath, pfx), (KeyEncryptionSettings.CertificatePassword, "wrong"));
        AssertRefused(KeyEncryptionSettings.CertificatePassword, "is not set", (KeyEncryptionSettings.CertificatePath, pfx));
        AssertRefused(KeyEncryptionSettings.CertificatePath, "needs an RSA key", (KeyEncryptionSettings.CertificatePath, ecdsa));
        AssertRefused(KeyEncryptionSettings.CertificatePath, "at least 2048 bits", [.. small.AsCurrent()]);
        AssertRefused(KeyEncryptionSettings.CertificatePath, "neither a PEM certificate nor a PKCS#12", (KeyEncryptionSettings.CertificatePath, garbage));
    }

    [Fact]
    public void Retired_certificates_are_checked_like_the_current_one()
    {
        var current = TestKeyEncryptionCertificates.CreatePem(directory, "current");
        var retired = TestKeyEncryptionCertificates.CreatePem(directory, "retired");
        var pfx = TestKeyEncryptionCertificates.CreatePfx(directory, "pfx", "correct horse");

        var certificates = Load(Environments.Production, [.. current.AsCurrent(), .. retired.AsRetired(0)]);
        Assert.Equal(retired.Thumbprint, certificates.Find(retired.Thumbprint).Thumbprint);

        AssertRefused("Platform:KeyEncryption:RetiredCertificates:0:Path", "is not set",
            [.. current.AsCurrent(), ("Platform:KeyEncryption:RetiredCertificates:0:KeyPath", retired.KeyPath)]);
        AssertRefused("Platform:KeyEncryption:RetiredCertificates:1:Password", "the password is wrong",
            [.. current.AsCurrent(), .. retired.AsRetired(0),
             ("Platform:KeyEncryption:RetiredCertificates:1:Path", pfx), ("Platform:KeyEncryption:RetiredCertificates:1:Password", "wrong")]);
    }

    [Fact]
    public void A_secret_under_a_certificate_neither_current_nor_retired_names_the_retired_setting_and_the_thumbprint()
    {
        var current = TestKeyEncryptionCertificates.CreatePem(directory, "current");
        var unknown = new string('A', 64);

        var refused = Assert.Throws<InvalidSettingException>(() => Load(Environments.Production, [.. current.AsCurrent()]).Find(unknown));

        Assert.Equal(KeyEncryptionSettings.RetiredCertificates, refused.Setting);
        Assert.Contains(unknown, refused.Message);
        Assert.DoesNotContain('\n', refused.Message);
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void In_development_without_a_certificate_the_host_generates_one_readable_by_its_user_only_and_reuses_it()
    {
        var first = Load(Environments.Development);
        var second = Load(Environments.Development);

        var path = Path.Combine(DataDirectory, DevelopmentCertificate.FileName);
        Assert.Equal(path, first.DevelopmentCertificatePath);
        Assert.Equal(first.Current.Thumbprint, second.Current.Thumbprint);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(DataDirectory));
        Assert.Empty(Directory.GetFiles(DataDirectory, "*.tmp"));
    }

    [Fact]
    public void A_configured_certificate_is_used_in_development_too()
    {
        var pem = TestKeyEncryptionCertificates.CreatePem(directory, "current");

        var certificates = Load(Environments.Development, [.. pem.AsCurrent()]);

        Assert.Equal(pem.Thumbprint, certificates.Current.Thumbprint);
        Assert.Null(certificates.DevelopmentCertificatePath);
        Assert.False(Directory.Exists(DataDirectory));
    }

    [Fact]
    public void A_secret_decrypts_only_with_the_certificate_that_encrypted_it_and_unaltered()
    {
        var one = Load(Environments.Production, [.. TestKeyEncryptionCertificates.CreatePem(directory, "one").AsCurrent()]).Current;
        var other = Load(Environments.Production, [.. TestKeyEncryptionCertificates.CreatePem(directory, "other").AsCurrent()]).Current;
        var secret = RandomNumberGenerator.GetBytes(1300);

        var encrypted = one.Encrypt(secret);

        Assert.Equal(secret, one.Decrypt(encrypted));
        Assert.False(encrypted.AsSpan().IndexOf(secret.AsSpan(0, 16)) >= 0);
        Assert.NotEqual(encrypted, one.Encrypt(secret));
        Assert.ThrowsAny<CryptographicException>(() => other.Decrypt(encrypted));
        encrypted[^1] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => one.Decrypt(encrypted));
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private void AssertRefused(string setting, string problem, params (string Key, string Value)[] settings)
    {
        var refused = Assert.Throws<InvalidSettingException>(() => Load(Environments.Production, settings));
        Assert.Equal(setting, refused.Setting);
        Assert.Contains(problem, refused.Message);
        Assert.DoesNotContain('\n', refused.Message);
        Assert.False(Directory.Exists(DataDirectory));
    }

    private InvalidSettingException Refused(string environment) =>
        Assert.Throws<InvalidSettingException>(() => Load(environment));

    private KeyEncryptionCertificates Load(string environment, params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)))
            .Build();
        return KeyEncryptionSettings.Load(configuration, new HostingEnvironment { EnvironmentName = environment, ContentRootPath = directory });
    }
}
