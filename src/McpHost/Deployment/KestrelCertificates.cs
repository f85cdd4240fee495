using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Perspective.Platform.Hosting;

namespace Perspective.McpHost.Deployment;

/// <summary>
/// Checks the TLS certificates Kestrel is configured with (<c>Kestrel:Endpoints:NAME:Certificate</c>
/// and <c>Kestrel:Certificates:Default</c>) before the host touches the database, so a wrong path,
/// key or password stops it with one line naming the setting instead of a stack trace after startup.
/// </summary>
public static class KestrelCertificates
{
    public static void Validate(IConfiguration configuration, IHostEnvironment environment)
    {
        var defaultCertificate = configuration.GetSection("Kestrel:Certificates:Default");
        if (defaultCertificate.Exists())
        {
            Load(defaultCertificate, "Kestrel:Certificates:Default", environment.ContentRootPath);
        }

        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            var certificate = endpoint.GetSection("Certificate");
            var prefix = $"Kestrel:Endpoints:{endpoint.Key}";
            if (certificate.Exists())
            {
                Load(certificate, prefix + ":Certificate", environment.ContentRootPath);
            }
            else if (IsHttps(endpoint["Url"]) && !defaultCertificate.Exists())
            {
                throw new InvalidSettingException(prefix + ":Certificate:Path",
                    $"is required: the endpoint {endpoint["Url"]} is https. Name a PEM certificate (with :KeyPath) or a PFX file (with :Password).");
            }
        }
    }

    /// <summary>True when one of the configured endpoints serves https (then plain-http requests are redirected).</summary>
    public static bool HasHttpsEndpoint(IConfiguration configuration) =>
        configuration.GetSection("Kestrel:Endpoints").GetChildren().Any(endpoint => IsHttps(endpoint["Url"]));

    private static bool IsHttps(string? url) => url?.StartsWith("https://", StringComparison.OrdinalIgnoreCase) == true;

    private static void Load(IConfigurationSection certificate, string setting, string contentRoot)
    {
        if (certificate["Path"] is not { Length: > 0 } path)
        {
            throw new InvalidSettingException(setting + ":Path",
                "is required on Linux: name a PEM certificate (with :KeyPath) or a PFX file (with :Password). Certificate stores are not supported.");
        }

        var certificatePath = Readable(Path.Combine(contentRoot, path), setting + ":Path");
        try
        {
            if (certificate["KeyPath"] is { Length: > 0 } keyPath)
            {
                var keyFile = Readable(Path.Combine(contentRoot, keyPath), setting + ":KeyPath");
                using var pem = certificate["Password"] is { Length: > 0 } password
                    ? X509Certificate2.CreateFromEncryptedPemFile(certificatePath, password, keyFile)
                    : X509Certificate2.CreateFromPemFile(certificatePath, keyFile);
            }
            else
            {
                using var pfx = X509CertificateLoader.LoadPkcs12FromFile(certificatePath, certificate["Password"]);
                if (!pfx.HasPrivateKey)
                {
                    throw new InvalidSettingException(setting + ":Path", $"names a certificate without its private key: '{path}'.");
                }
            }
        }
        catch (CryptographicException problem)
        {
            throw new InvalidSettingException(setting,
                $"could not be loaded from '{path}' ({problem.Message.TrimEnd('.')}): check the file, :KeyPath and :Password.");
        }
    }

    private static string Readable(string path, string setting)
    {
        try
        {
            using var _ = File.OpenRead(path);
            return path;
        }
        catch (Exception problem) when (problem is IOException or UnauthorizedAccessException)
        {
            throw new InvalidSettingException(setting, $"names a file that cannot be read: '{path}' ({problem.Message.TrimEnd('.')}).");
        }
    }
}
