using Microsoft.Extensions.Configuration;
using OpenIddict.Server;
using Perspective.Platform.Hosting;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Perspective.Identity.OAuth;

/// <summary>
/// Adds what MCP clients look for in the authorization server metadata (RFC 8414) beyond what
/// OpenIddict publishes: the registration endpoint, client ID metadata document support, only the
/// scopes an MCP client can be granted, and
/// "none" among the token and revocation endpoint authentication methods for public clients (the
/// other methods come from the server options, which offer what registration offers).
/// </summary>
internal sealed class DiscoveryMetadata(IConfiguration configuration) : IOpenIddictServerHandler<HandleConfigurationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<HandleConfigurationRequestContext>()
            .UseSingletonHandler<DiscoveryMetadata>()
            .SetOrder(int.MaxValue - 100_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(HandleConfigurationRequestContext context)
    {
        context.Metadata["registration_endpoint"] = PlatformUrls.PublicBaseUrl(configuration) + ClientRegistration.Path;
        context.Metadata["client_id_metadata_document_supported"] = true;
        context.Metadata["authorization_response_iss_parameter_supported"] = true;

        // Only what an MCP client can be granted: clients ask for every scope listed here and treat a
        // grant without one of them as insufficient, so listing management, admin or openid (which
        // they are never granted) would make them sign in again on every start. The legacy "mcp" is
        // still accepted but not listed: a client asking for it would get "mcp:read mcp:write" back.
        context.Metadata[Metadata.ScopesSupported] =
            System.Collections.Immutable.ImmutableArray.Create<string?>(OAuthScopes.McpRead, OAuthScopes.McpWrite, Scopes.OfflineAccess);
        foreach (var methods in new[] { context.TokenEndpointAuthenticationMethods, context.RevocationEndpointAuthenticationMethods })
        {
            if (!methods.Contains(ClientAuthenticationMethods.None))
            {
                methods.Add(ClientAuthenticationMethods.None);
            }
        }

        return ValueTask.CompletedTask;
    }
}
