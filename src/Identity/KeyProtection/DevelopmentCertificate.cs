using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Perspective.Platform.Hosting;

namespace Perspective.Identity.KeyProtection;

/// <summary>
/// The key-encryption certificate a Development host generates for itself when none is configured:
/// self-signed, PEM with its key, in the data folder with mode 0600, and reused on later starts.
/// </summary>
public static class DevelopmentCertificate
{
    public const string FileName = "key-encryption-development.pem";

    public static (KeyEncryptionCertificate Certificate, string Path) LoadOrCreate(string dataDirectory)
    {
        var path = Path.Combine(dataDirectory, FileName);
        if (!File.Exists(path))
        {
            Create(path);
        }

        return (new KeyEncryptionCertificate(X509Certificate2.CreateFromPemFile(path)), path);
    }

    private static void Create(string path)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest(
            "CN=Perspective Platform development key encryption", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyEncipherment, critical: true));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(100));

        // Written whole under another name and then moved, so a host starting at the same moment
        // never reads half a file: the first move wins and the other host uses that certificate.
        var draft = $"{path}.{Guid.NewGuid():N}.tmp";
        OwnerOnlyFiles.WriteNewFile(draft, certificate.ExportCertificatePem() + "\n" + rsa.ExportPkcs8PrivateKeyPem() + "\n");
        try
        {
            File.Move(draft, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(draft);
        }
    }
}
