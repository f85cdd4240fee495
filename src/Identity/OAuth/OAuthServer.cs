using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OpenIddict.EntityFrameworkCore.Models;
using OpenIddict.Server;
using Perspective.Identity.Storage;
using Perspective.Platform.Hosting;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Perspective.Identity.OAuth;

/// <summary>The platform's OAuth 2.1 authorization server for MCP clients and admin tooling (OpenIddict).</summary>
public static class OAuthServer
{
    public const string AuthorizePath = "/connect/authorize";
    public const string TokenPath = "/connect/token";
    public const string RevokePath = "/connect/revoke";

    /// <summary>Browser-based MCP clients call discovery, token, revocation and registration cross-origin; none use cookies.</summary>
    public const string PublicCorsPolicy = "oauth-public";

    public static bool IsPublicOAuthPath(Microsoft.AspNetCore.Http.PathString path) =>
        path.StartsWithSegments("/.well-known") || path == TokenPath || path == RevokePath || path == ClientRegistration.Path;

    public static IHostApplicationBuilder AddOAuthServer(this IHostApplicationBuilder builder)
    {
        var issuer = new Uri(PlatformUrls.Issuer(builder.Configuration));
        var mcpResource = OAuthScopes.McpResource(builder.Configuration);

        builder.Services.AddOpenIddict()
            // Applications, authorizations, scopes and tokens live in the platform database.
            .AddCore(options =>
            {
                options.UseEntityFrameworkCore().UseDbContext<IdentityDataContext>();
                options.ReplaceApplicationManager<OpenIddictEntityFrameworkCoreApplication, LoopbackAwareApplicationManager>();
            })

            // The server: authorization code with PKCE (S256 only), rotated refresh tokens, client credentials.
            .AddServer(options =>
            {
                options.SetIssuer(issuer)
                    .SetAuthorizationEndpointUris(AuthorizePath.TrimStart('/'))
                    .SetTokenEndpointUris(TokenPath.TrimStart('/'))
                    .SetRevocationEndpointUris(RevokePath.TrimStart('/'));
                options.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange()
                    .AllowRefreshTokenFlow()
                    .AllowClientCredentialsFlow();
                options.RegisterScopes(OAuthScopes.McpRead, OAuthScopes.McpWrite, OAuthScopes.Mcp, OAuthScopes.Management, OAuthScopes.Admin, Scopes.OfflineAccess);
                options.RegisterResources(mcpResource, OAuthScopes.ManagementResource);
                // Lifetimes come from GrantLifetimes (OAuth:*Lifetime); a user's tokens are cut at their grant's absolute limit.

                // A refresh token works once: presenting it again revokes the whole grant (reuse detection),
                // and of simultaneous redemptions exactly one wins (RefreshTokenRedemption).
                options.SetRefreshTokenReuseLeeway(TimeSpan.Zero);
                options.Configure(server =>
                {
                    server.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain);

                    // No client registers a key set, so client assertions are neither offered nor advertised.
                    server.ClientAuthenticationMethods.Remove(ClientAuthenticationMethods.PrivateKeyJwt);

                    // Codes come back in the query only, so every response (errors included) takes one path.
                    server.ResponseModes.Remove(ResponseModes.FormPost);
                    server.ResponseModes.Remove(ResponseModes.Fragment);
                });
                options.AddEventHandler(DiscoveryMetadata.Descriptor);
                FormBodyGuard.Register(options);
                ClientMetadataDocuments.Register(options);
                options.AddEventHandler(CodeChallengeFormat.Descriptor);
                options.AddEventHandler(UnknownScopes.Descriptor);
                ScopeAndResourceErrors.Register(options);
                RefreshTokenRedemption.Register(options);
                TokenMetrics.Register(options);
                options.AddEventHandler(AuthorizationErrorRedirect.Descriptor).AddEventHandler(AuthorizationErrorPage.Descriptor);

                var aspNetCore = options.UseAspNetCore().EnableAuthorizationEndpointPassthrough().EnableTokenEndpointPassthrough();
                if (issuer.Scheme == Uri.UriSchemeHttp)
                {
                    // Local runs and tests are plain HTTP; a public deployment sets an https PublicBaseUrl.
                    aspNetCore.DisableTransportSecurityRequirement();
                }
            })

            // Validation: the MCP endpoint and the management APIs accept the tokens issued here,
            // checking the token and its authorization in the database so revocation is immediate.
            .AddValidation(options =>
            {
                options.UseLocalServer();
                options.UseAspNetCore()
                    .DisableAccessTokenExtractionFromQueryString()
                    .DisableAccessTokenExtractionFromBodyForm();
                // The token entry and authorization checks are not left to OpenIddict: the bearer
                // handler makes them in one compiled query with the effective workspaces (GrantLookup).
                options.AddAudiences(mcpResource, OAuthScopes.ManagementResource);
            });

        builder.Services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, OAuthServerKeys>();
        GrantLifetimes.Register(builder.Services, builder.Configuration);
        builder.Services.AddScoped<GrantRevocations>();
        builder.Services.AddScoped<ConsentedGrants>();
        builder.Services.AddAuthentication()
            .AddScheme<OAuthBearerOptions, OAuthBearerAuthenticationHandler>(
                OAuthBearerAuthenticationHandler.ManagementScheme, o => o.Audience = OAuthScopes.ManagementResource);
        builder.Services.AddCors(cors => cors.AddPolicy(PublicCorsPolicy, policy => policy.AllowAnyOrigin().AllowAnyHeader().AllowAnyMethod()));
        builder.AddClientRegistration();
        builder.AddClientMetadataDocuments();
        return builder;
    }

    public static IEndpointRouteBuilder MapOAuthServer(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapTokenEndpoint();
        endpoints.MapClientRegistration();
        return endpoints;
    }
}
