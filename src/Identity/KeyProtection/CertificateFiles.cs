using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Perspective.Platform.Hosting;

namespace Perspective.Identity.KeyProtection;

/// <summary>
/// Loads a key-encryption certificate from PEM or PKCS#12 (PFX) files and checks that the host can use
/// it: readable, with its private key, RSA of at least 2048 bits. Anything else is an
/// <see cref="InvalidSettingException"/> naming the setting.
/// </summary>
public static class CertificateFiles
{
    private const int MinimumKeySize = 2048;

    /// <summary>Loads the certificate; relative paths are relative to <paramref name="contentRoot"/>.</summary>
    public static KeyEncryptionCertificate Load(CertificateLocation location, string contentRoot)
    {
        var path = Readable(location.PathSetting, location.Path, contentRoot);
        var certificate = location.KeyPath is { Length: > 0 } keyPath
            ? FromPem(location, path, Readable(location.KeyPathSetting, keyPath, contentRoot))
            : FromSingleFile(location, path);

        try
        {
            Check(location, path, certificate);
            return new KeyEncryptionCertificate(certificate);
        }
        catch
        {
            certificate.Dispose();
            throw;
        }
    }

    private static void Check(CertificateLocation location, string path, X509Certificate2 certificate)
    {
        if (!certificate.HasPrivateKey)
        {
            throw WithoutPrivateKey(location, path);
        }

        using var rsa = certificate.GetRSAPrivateKey() ?? throw new InvalidSettingException(location.PathSetting,
            $"names {path}, a certificate with a {certificate.PublicKey.Oid.FriendlyName ?? certificate.PublicKey.Oid.Value} key: key encryption needs an RSA key.");
        if (rsa.KeySize < MinimumKeySize)
        {
            throw new InvalidSettingException(location.PathSetting,
                $"names {path}, a certificate with a {rsa.KeySize}-bit RSA key: use at least {MinimumKeySize} bits.");
        }
    }

    private static InvalidSettingException WithoutPrivateKey(CertificateLocation location, string path) =>
        new(location.PathSetting, $"names {path}, a certificate without its private key: add the key to the file, or set {location.KeyPathSetting} to its PEM file.");

    private static string Readable(string setting, string? value, string contentRoot)
    {
        var path = Path.GetFullPath(Path.Combine(contentRoot, value ?? ""));
        try
        {
            using var _ = File.OpenRead(path);
            return path;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InvalidSettingException(setting, $"names {path}, which does not exist.");
        }
        catch (UnauthorizedAccessException)
        {
            throw new InvalidSettingException(setting, $"names {path}, which the host's user may not read.");
        }
        catch (IOException e)
        {
            throw new InvalidSettingException(setting, $"names {path}, which cannot be read ({e.Message}).");
        }
    }

    private static X509Certificate2 FromSingleFile(CertificateLocation location, string path)
    {
        var contents = File.ReadAllBytes(path);
        var text = Encoding.ASCII.GetString(contents);
        if (text.Contains("-----BEGIN CERTIFICATE-----", StringComparison.Ordinal))
        {
            return text.Contains("PRIVATE KEY-----", StringComparison.Ordinal) ? FromPem(location, path, path) : throw WithoutPrivateKey(location, path);
        }

        if (ContentType(contents) != X509ContentType.Pkcs12)
        {
            throw new InvalidSettingException(location.PathSetting, $"names {path}, which is neither a PEM certificate nor a PKCS#12 (PFX) file.");
        }

        try
        {
            return X509CertificateLoader.LoadPkcs12(contents, location.Password);
        }
        catch (CryptographicException)
        {
            throw new InvalidSettingException(location.PasswordSetting, string.IsNullOrEmpty(location.Password)
                ? $"is not set, and {path} needs a password."
                : $"does not open {path}: the password is wrong.");
        }
    }

    private static X509ContentType ContentType(byte[] contents)
    {
        try
        {
            return X509Certificate2.GetCertContentType(contents);
        }
        catch (CryptographicException)
        {
            return X509ContentType.Unknown;
        }
    }

    private static X509Certificate2 FromPem(CertificateLocation location, string certificatePath, string keyPath)
    {
        try
        {
            return string.IsNullOrEmpty(location.Password)
                ? X509Certificate2.CreateFromPemFile(certificatePath, keyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(certificatePath, location.Password, keyPath);
        }
        catch (CryptographicException) when (!string.IsNullOrEmpty(location.Password))
        {
            throw new InvalidSettingException(location.PasswordSetting,
                $"does not decrypt the private key in {keyPath}, or that key does not belong to the certificate in {certificatePath}.");
        }
        catch (CryptographicException)
        {
            throw new InvalidSettingException(keyPath == certificatePath ? location.PathSetting : location.KeyPathSetting,
                $"names {keyPath}, which holds no unencrypted private key of the certificate in {certificatePath} (an encrypted key needs {location.PasswordSetting}).");
        }
    }
}
