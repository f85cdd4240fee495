using System.Net;
using System.Runtime.Versioning;
using System.Xml.Linq;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perspective.Accounts.V1;
using Perspective.Identity;
using Perspective.Identity.KeyProtection;
using Perspective.Identity.Seeding;
using Perspective.Identity.Storage;
using Perspective.Platform.Hosting;
using Perspective.Platform.Storage;
using Perspective.Tests.Shared;

namespace Perspective.IntegrationTests.Operations;

/// <summary>
/// The keys the host keeps in its database (OAuth signing and token-encryption keys, the data-protection
/// key ring) are stored encrypted with the key-encryption certificate, survive a certificate rotation
/// and an upgrade from a version that stored them in the clear, and are never readable without it.
/// </summary>
public sealed class KeyEncryptionTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("perspective-key-encryption-").FullName;

    private string DataDirectory => Path.Combine(directory, "data");

    [Fact]
    public async Task Keys_are_stored_encrypted_with_the_configured_certificate()
    {
        var certificate = TestKeyEncryptionCertificates.CreatePem(directory, "current");

        using var host = Host(certificate.AsCurrent());
        await host.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);

        var stored = await StoredKeysAsync(host);
        Assert.Equal(2, stored.OAuthKeys.Count);
        Assert.NotEmpty(stored.DataProtectionKeys);
        Assert.Equal([certificate.Thumbprint], stored.EncryptedWith);
        Assert.All(stored.DataProtectionKeys, xml => Assert.DoesNotContain("requiresEncryption", xml));
        Assert.DoesNotContain(host.Logs.Lines, line => line.Contains("No XML encryptor configured", StringComparison.Ordinal));
    }

    [Fact]
    public async Task After_a_rotation_sessions_and_tokens_issued_before_stay_valid_and_the_keys_move_to_the_new_certificate()
    {
        var (a, b, c) = (TestKeyEncryptionCertificates.CreatePem(directory, "a"), TestKeyEncryptionCertificates.CreatePem(directory, "b"),
            TestKeyEncryptionCertificates.CreatePem(directory, "c"));

        Credentials issued;
        using (var host = Host(a.AsCurrent()))
        {
            issued = await IssueCredentialsAsync(host);
            Assert.Equal([a.Thumbprint], (await StoredKeysAsync(host)).EncryptedWith);
        }

        using (var host = Host([.. b.AsCurrent(), .. a.AsRetired(0)]))
        {
            await AssertStillValidAsync(host, issued);
            Assert.Equal([b.Thumbprint], (await StoredKeysAsync(host)).EncryptedWith);
        }

        using (var host = Host(b.AsCurrent()))
        {
            await AssertStillValidAsync(host, issued);
            var refreshed = await new OAuthTestClient(host, issued.Cookies).RefreshAsync(issued.ClientId, issued.RefreshToken);
            Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        }

        // The host refuses in its startup (the process test sees the line it prints); here the step is run again to read what it says.
        using (var host = Host(c.AsCurrent()))
        {
            var refused = Assert.Throws<InvalidSettingException>(host.Services.LoadSharedKeys);
            Assert.Equal(KeyEncryptionSettings.RetiredCertificates, refused.Setting);
            Assert.Contains(b.Thumbprint, refused.Message);
            Assert.Equal([b.Thumbprint], (await StoredKeysAsync(host)).EncryptedWith);
        }
    }

    [Fact]
    public async Task Keys_an_earlier_version_stored_in_the_clear_are_encrypted_at_the_first_start_with_a_certificate()
    {
        var (first, certificate) = (TestKeyEncryptionCertificates.CreatePem(directory, "first"), TestKeyEncryptionCertificates.CreatePem(directory, "certificate"));
        Credentials issued;
        using (var host = Host(first.AsCurrent()))
        {
            issued = await IssueCredentialsAsync(host);
            await StoreInTheClearAsync(host);
            var clear = await StoredKeysAsync(host);
            Assert.Empty(clear.EncryptedWith);
            Assert.All(clear.DataProtectionKeys, xml => Assert.Contains("requiresEncryption=\"true\"", xml));
        }

        using (var host = Host(certificate.AsCurrent()))
        {
            await AssertStillValidAsync(host, issued);
            var stored = await StoredKeysAsync(host);
            Assert.Equal([certificate.Thumbprint], stored.EncryptedWith);
            Assert.All(stored.DataProtectionKeys, xml => Assert.DoesNotContain("requiresEncryption", xml));
        }
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task In_development_without_a_certificate_the_host_generates_one_in_its_new_data_folder_and_warns_once_per_start()
    {
        string thumbprint;
        using (var host = Host([]))
        {
            await host.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
            thumbprint = Assert.Single((await StoredKeysAsync(host)).EncryptedWith);
            Assert.Single(host.Logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("development certificate", StringComparison.Ordinal));
            Assert.DoesNotContain(host.Logs.Lines, line => line.Contains("PRIVATE KEY", StringComparison.Ordinal));
        }

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(DataDirectory));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(DataDirectory, DevelopmentCertificate.FileName)));

        using (var host = Host([]))
        {
            Assert.Equal([thumbprint], (await StoredKeysAsync(host)).EncryptedWith);
            Assert.Single(host.Logs.Lines, line => line.StartsWith("Warning", StringComparison.Ordinal) && line.Contains("development certificate", StringComparison.Ordinal));
        }
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task The_sqlite_files_are_readable_by_the_hosts_user_only_even_when_an_earlier_version_made_them_world_readable()
    {
        if (TestDatabase.Provider != DatabaseProvider.Sqlite)
        {
            return;
        }

        var database = Path.Combine(DataDirectory, "platform.db");
        using (var host = Host([]))
        {
            await host.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
            Assert.All([database, database + "-wal", database + "-shm"], path => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path)));
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        File.SetUnixFileMode(database, File.GetUnixFileMode(database) | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        using (var host = Host([]))
        {
            _ = host.Server;
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(database));
        }
    }

    public void Dispose()
    {
        TestDatabase.Delete(DataDirectory);
        Directory.Delete(directory, recursive: true);
    }

    private PlatformFactory Host(IEnumerable<(string Key, string Value)> settings)
    {
        var list = settings.ToList();
        if (list.Count > 0)
        {
            // With a certificate configured nothing else creates the data folder the test database lives in.
            Directory.CreateDirectory(DataDirectory);
        }

        return PlatformFactory.OnData(DataDirectory, builder =>
        {
            foreach (var (key, value) in list)
            {
                builder.UseSetting(key, value);
            }
        });
    }

    private sealed record Credentials(CookieContainer Cookies, string ClientId, string AccessToken, string RefreshToken, string McpKey);

    private static async Task<Credentials> IssueCredentialsAsync(PlatformFactory host)
    {
        var cookies = await host.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
        var (clientId, accessToken, refreshToken) = await new OAuthTestClient(host, cookies).ConnectAsync();
        var (mcpKey, _) = await host.CreateDemoKeyAsync("Rotation", DemoSeed.DemoWorkspaces[0].Slug);
        return new Credentials(cookies, clientId, accessToken, refreshToken, mcpKey);
    }

    // The session cookie needs the data-protection key ring; the access token the OAuth signing and encryption keys.
    private static async Task AssertStillValidAsync(PlatformFactory host, Credentials issued)
    {
        var accounts = new AccountService.AccountServiceClient(host.CreateGrpcChannel(issued.Cookies));
        Assert.NotEmpty((await accounts.ListMyWorkspacesAsync(new ListMyWorkspacesRequest())).Workspaces);
        Assert.Equal(HttpStatusCode.OK, await McpTestClient.StatusAsync(host, $"Bearer {issued.AccessToken}"));
        Assert.Equal(HttpStatusCode.OK, await McpTestClient.StatusAsync(host, $"Bearer {issued.McpKey}"));
    }

    private sealed record StoredKeys(List<(string Purpose, string? EncryptedWith)> OAuthKeys, List<string> DataProtectionKeys)
    {
        /// <summary>The thumbprints of every certificate some stored key is encrypted with.</summary>
        public List<string> EncryptedWith =>
        [
            .. OAuthKeys.Select(k => k.EncryptedWith).OfType<string>()
                .Concat(DataProtectionKeys.SelectMany(xml => XElement.Parse(xml).Descendants(EncryptedKeyXml.ElementName).Select(EncryptedKeyXml.EncryptedWith)))
                .Distinct(),
        ];
    }

    private static async Task<StoredKeys> StoredKeysAsync(PlatformFactory host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDataContext>();
        var oauthKeys = await db.OAuthServerKeys.Select(k => new { k.Purpose, k.EncryptedWithCertificate }).ToListAsync();
        return new StoredKeys(
            [.. oauthKeys.Select(k => (k.Purpose, k.EncryptedWithCertificate))],
            await db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync());
    }

    // What a version without key encryption stored: the OAuth keys as they are, and each data-protection
    // key with its secret part marked requiresEncryption but left in the clear.
    private static async Task StoreInTheClearAsync(PlatformFactory host)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDataContext>();
        var certificates = scope.ServiceProvider.GetRequiredService<KeyEncryptionCertificates>();
        foreach (var key in await db.OAuthServerKeys.ToListAsync())
        {
            key.KeyMaterial = certificates.Decrypt(key.KeyMaterial, key.EncryptedWithCertificate);
            key.EncryptedWithCertificate = null;
        }

        foreach (var key in await db.DataProtectionKeys.ToListAsync())
        {
            var xml = XElement.Parse(key.Xml!);
            foreach (var encryptedSecret in xml.Descendants(XName.Get("encryptedSecret", "http://schemas.asp.net/2015/03/dataProtection")).ToList())
            {
                encryptedSecret.ReplaceWith(EncryptedKeyXml.Decrypt(encryptedSecret.Elements().Single(), certificates));
            }

            key.Xml = xml.ToString(SaveOptions.DisableFormatting);
        }

        await db.SaveChangesAsync();
    }
}
