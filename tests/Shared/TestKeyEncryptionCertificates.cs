using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Perspective.Tests.Shared;

/// <summary>A key-encryption certificate written as an operator would keep it: PEM certificate and PEM key side by side.</summary>
/// <param name="Thumbprint">The SHA-256 thumbprint the host records with every secret it encrypts.</param>
public sealed record TestKeyEncryptionCertificate(string CertificatePath, string KeyPath, string Thumbprint)
{
    /// <summary>The settings that make this the current certificate.</summary>
    public IEnumerable<(string Key, string Value)> AsCurrent() =>
        [("Platform:KeyEncryption:CertificatePath", CertificatePath), ("Platform:KeyEncryption:KeyPath", KeyPath)];

    /// <summary>The settings that list this certificate as retired number <paramref name="index"/>.</summary>
    public IEnumerable<(string Key, string Value)> AsRetired(int index) =>
        [($"Platform:KeyEncryption:RetiredCertificates:{index}:Path", CertificatePath),
         ($"Platform:KeyEncryption:RetiredCertificates:{index}:KeyPath", KeyPath)];
}

/// <summary>Self-signed certificates for the key-encryption tests, made with .NET's <see cref="CertificateRequest"/>.</summary>
public static class TestKeyEncryptionCertificates
{
    /// <summary>An RSA certificate in <paramref name="name"/>.crt.pem with its key in <paramref name="name"/>.key.pem.</summary>
    public static TestKeyEncryptionCertificate CreatePem(string directory, string name, int keySize = 2048)
    {
        using var rsa = RSA.Create(keySize);
        using var certificate = SelfSigned(new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        var certificatePath = Path.Combine(directory, name + ".crt.pem");
        var keyPath = Path.Combine(directory, name + ".key.pem");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, rsa.ExportPkcs8PrivateKeyPem());
        return new TestKeyEncryptionCertificate(certificatePath, keyPath, certificate.GetCertHashString(HashAlgorithmName.SHA256));
    }

    /// <summary>An RSA certificate with its key in a password-protected PKCS#12 file; returns its path.</summary>
    public static string CreatePfx(string directory, string name, string password)
    {
        using var rsa = RSA.Create(2048);
        using var certificate = SelfSigned(new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
        var path = Path.Combine(directory, name + ".pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return path;
    }

    /// <summary>An ECDSA certificate with its key in one PEM file; returns its path.</summary>
    public static string CreateEcdsaPem(string directory, string name)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = SelfSigned(new CertificateRequest($"CN={name}", ecdsa, HashAlgorithmName.SHA256));
        var path = Path.Combine(directory, name + ".pem");
        File.WriteAllText(path, certificate.ExportCertificatePem() + "\n" + ecdsa.ExportPkcs8PrivateKeyPem());
        return path;
    }

    private static X509Certificate2 SelfSigned(CertificateRequest request) =>
        request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
}
