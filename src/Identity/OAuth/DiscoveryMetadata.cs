using Microsoft.Extensions.Configuration;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Perspective.Identity.OAuth;

/// <summary>
/// Adds what MCP clients look for in the authorization server metadata (RFC 8414) beyond what
/// OpenIddict publishes: the registration endpoint, client ID metadata document support, and
/// "none" among the token endpoint authentication methods for public clients.
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
        if (!context.TokenEndpointAuthenticationMethods.Contains(ClientAuthenticationMethods.None))
        {
            context.TokenEndpointAuthenticationMethods.Add(ClientAuthenticationMethods.None);
        }

        return ValueTask.CompletedTask;
    }
}
