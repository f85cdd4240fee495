using System.Security.Cryptography;
using OpenIddict.Abstractions;
using Perspective.Identity.OAuth;
using Perspective.Platform.Hosting;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Perspective.McpHost.Admin;

/// <summary>
/// The confidential client admin tooling uses (client-credentials grant, admin scope). Its id and
/// secret come from <c>Admin:ClientId</c> and <c>Admin:ClientSecret</c>; without them, a local demo
/// run generates one at first start and shows its secret once. Only the secret's hash is stored.
/// </summary>
public sealed class AdminClient(IOpenIddictApplicationManager applications, IConfiguration configuration)
{
    public const string DefaultClientId = "perspective-admin";

    /// <summary>Creates or updates the admin client; returns a generated secret to show once, or null.</summary>
    public async Task<string?> EnsureAsync(bool seedDemo, CancellationToken cancellationToken)
    {
        var clientId = configuration["Admin:ClientId"];
        var clientSecret = configuration["Admin:ClientSecret"];
        if (!string.IsNullOrEmpty(clientId) && !string.IsNullOrEmpty(clientSecret))
        {
            await UpsertAsync(clientId, clientSecret, cancellationToken);
            return null;
        }

        if (!seedDemo || await applications.FindByClientIdAsync(DefaultClientId, cancellationToken) is not null)
        {
            return null;
        }

        var generated = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        await UpsertAsync(DefaultClientId, generated, cancellationToken);
        return generated;
    }

    /// <summary>The command an operator runs to get an admin access token.</summary>
    public static string TokenCommand(IConfiguration configuration, string clientId, string clientSecret) =>
        $"curl -s {PlatformUrls.PublicBaseUrl(configuration)}{OAuthServer.TokenPath} -d grant_type=client_credentials " +
        $"-d client_id={clientId} -d client_secret={clientSecret} -d scope={OAuthScopes.Admin}";

    private async Task UpsertAsync(string clientId, string clientSecret, CancellationToken cancellationToken)
    {
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = clientId,
            ClientSecret = clientSecret,
            ClientType = ClientTypes.Confidential,
            DisplayName = "Perspective admin tooling",
        };
        descriptor.Permissions.UnionWith(
        [
            Permissions.Endpoints.Token,
            Permissions.GrantTypes.ClientCredentials,
            Permissions.Prefixes.Scope + OAuthScopes.Admin,
        ]);
        descriptor.AddResourcePermissions(OAuthScopes.ManagementResource);

        var existing = await applications.FindByClientIdAsync(clientId, cancellationToken);
        if (existing is null)
        {
            await applications.CreateAsync(descriptor, cancellationToken);
        }
        else
        {
            await applications.UpdateAsync(existing, descriptor, cancellationToken);
        }
    }
}
