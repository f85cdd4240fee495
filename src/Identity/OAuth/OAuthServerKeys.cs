using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using Perspective.Identity.KeyProtection;
using Perspective.Identity.Storage;
using Perspective.Platform.Storage;

namespace Perspective.Identity.OAuth;

/// <summary>
/// Gives the authorization server its persisted keys: RSA for signing (cheap to verify) and a
/// symmetric key for encrypting tokens this platform validates itself (no RSA private-key
/// operation per request). The first host to start creates them; every other host reads them. They are
/// stored encrypted with the key-encryption certificate.
/// </summary>
internal sealed class OAuthServerKeys(IServiceScopeFactory scopes, KeyEncryptionCertificates certificates, TimeProvider clock)
    : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        using var scope = scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDataContext>();

        var rsa = RSA.Create();
        rsa.ImportPkcs8PrivateKey(LoadOrCreate(db, OAuthServerKey.SigningPurpose, () =>
        {
            using var created = RSA.Create(2048);
            return created.ExportPkcs8PrivateKey();
        }), out _);
        options.SigningCredentials.Add(new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = "perspective-rsa" }, SecurityAlgorithms.RsaSha256));

        var aes = LoadOrCreate(db, OAuthServerKey.EncryptionPurpose, () => RandomNumberGenerator.GetBytes(32));
        options.EncryptionCredentials.Add(new EncryptingCredentials(
            new SymmetricSecurityKey(aes) { KeyId = "perspective-aes" }, SecurityAlgorithms.Aes256KW, SecurityAlgorithms.Aes256CbcHmacSha512));
    }

    private byte[] LoadOrCreate(IdentityDataContext db, string purpose, Func<byte[]> create)
    {
        var stored = db.OAuthServerKeys.AsNoTracking().SingleOrDefault(k => k.Purpose == purpose) ?? Create(db, purpose, create());
        return certificates.Decrypt(stored.KeyMaterial, stored.EncryptedWithCertificate);
    }

    private OAuthServerKey Create(IdentityDataContext db, string purpose, byte[] key)
    {
        db.OAuthServerKeys.Add(new OAuthServerKey
        {
            Purpose = purpose,
            KeyMaterial = certificates.Current.Encrypt(key),
            EncryptedWithCertificate = certificates.Current.Thumbprint,
            CreateTime = clock.UtcNowForStorage(),
        });
        try
        {
            db.SaveChanges();
        }
        catch (DbUpdateException)
        {
            // Another host created it first: use theirs.
            db.ChangeTracker.Clear();
        }

        return db.OAuthServerKeys.AsNoTracking().Single(k => k.Purpose == purpose);
    }
}
