using System.Diagnostics;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Perspective.EndToEndTests.Deployment;

/// <summary>
/// Throwaway certificates made with <c>openssl</c> once per test run, as an operator would make them:
/// a CA the test clients trust, a TLS certificate it signed for <c>localhost</c> and <c>127.0.0.1</c>,
/// and key-encryption certificates (made with the README's command) that protect the hosts' keys at rest.
/// </summary>
public sealed class TestCertificates
{
    /// <summary>The README's command for a key-encryption certificate, with the two file names as {0} and {1}.</summary>
    public const string KeyEncryptionCommand =
        "openssl req -x509 -newkey rsa:3072 -sha256 -nodes -days 3650 -subj \"/CN=Perspective key encryption\" -keyout {1} -out {0}";

    private static readonly Lazy<TestCertificates> Shared = new(() => new TestCertificates());
    private readonly Lazy<(string, string)> keyEncryption;
    private int keyEncryptionCount;

    private TestCertificates()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("perspective-certificates-").FullName;
        OpenSsl("req -x509 -newkey rsa:2048 -sha256 -nodes -days 2 -subj \"/CN=Perspective test CA\" " +
                "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign -keyout ca.key -out ca.pem");
        File.WriteAllText(Path.Combine(Directory, "server.ext"),
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=critical,CA:FALSE\n");
        OpenSsl("req -newkey rsa:2048 -sha256 -nodes -subj /CN=localhost -keyout server.key -out server.csr");
        OpenSsl("x509 -req -sha256 -days 2 -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -extfile server.ext -out server.pem");
        Authority = X509CertificateLoader.LoadCertificateFromFile(CaPath);
        keyEncryption = new Lazy<(string, string)>(NewKeyEncryptionCertificate);
    }

    public static TestCertificates Instance => Shared.Value;

    /// <summary>The key-encryption certificate every host of this run shares unless a test gives it another.</summary>
    public (string CertificatePath, string KeyPath) KeyEncryption => keyEncryption.Value;

    public string Directory { get; }

    /// <summary>The test CA (PEM): what clients are told to trust (NODE_EXTRA_CA_CERTS, grpcurl -cacert).</summary>
    public string CaPath => Path.Combine(Directory, "ca.pem");

    public X509Certificate2 Authority { get; }

    /// <summary>The host's TLS certificate and its key (PEM), for <c>Kestrel:Endpoints:Https:Certificate</c>.</summary>
    public string ServerCertificatePath => Path.Combine(Directory, "server.pem");

    public string ServerKeyPath => Path.Combine(Directory, "server.key");

    /// <summary>The SHA-256 of the TLS certificate's public key, base64: what Chromium is told to trust.</summary>
    public string ServerPublicKeyPin
    {
        get
        {
            using var server = X509CertificateLoader.LoadCertificateFromFile(ServerCertificatePath);
            return Convert.ToBase64String(SHA256.HashData(server.PublicKey.ExportSubjectPublicKeyInfo()));
        }
    }

    /// <summary>A new key-encryption certificate and key (PEM), made with the README's command.</summary>
    public (string CertificatePath, string KeyPath) NewKeyEncryptionCertificate()
    {
        var name = $"key-encryption-{Interlocked.Increment(ref keyEncryptionCount)}";
        var (certificate, key) = (name + ".pem", name + ".key");
        OpenSsl(string.Format(System.Globalization.CultureInfo.InvariantCulture, KeyEncryptionCommand, certificate, key)["openssl ".Length..]);
        return (Path.Combine(Directory, certificate), Path.Combine(Directory, key));
    }

    /// <summary>
    /// An HTTP handler that trusts this run's CA and nothing else (no system roots, no bypass). A test that
    /// sends a forged <c>Host</c> (which the handler also takes as the TLS server name) accepts the name mismatch.
    /// </summary>
    public SocketsHttpHandler TrustingHandler(bool forgedHostHeader = false) => new()
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, errors) => IsIssuedByTestAuthority(certificate, errors, forgedHostHeader),
        },
    };

    private bool IsIssuedByTestAuthority(X509Certificate? certificate, SslPolicyErrors errors, bool nameMismatchExpected)
    {
        var tolerated = SslPolicyErrors.RemoteCertificateChainErrors | (nameMismatchExpected ? SslPolicyErrors.RemoteCertificateNameMismatch : 0);
        if (certificate is null || (errors & ~tolerated) != SslPolicyErrors.None)
        {
            return false; // no certificate, or a name mismatch
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.Add(Authority);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return custom.Build(X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }

    private void OpenSsl(string arguments)
    {
        var start = new ProcessStartInfo("/bin/sh", ["-c", "openssl " + arguments])
        {
            WorkingDirectory = Directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start openssl.");
        var error = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)) || process.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl {arguments} failed: {error.Result}");
        }
    }
}
