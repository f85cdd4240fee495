using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Perspective.Identity.OAuth;

/// <summary>
/// Answers a malformed or unpermitted resource with invalid_target (RFC 8707 §2) and a scope the
/// client may not have with invalid_scope (RFC 6749 §4.1.2.1), where OpenIddict would say
/// invalid_request. Each check runs just before OpenIddict's own, which then never fires. The
/// descriptions never repeat the request's values: they end up in a redirect or on an error page.
/// </summary>
internal static class ScopeAndResourceErrors
{
    public static void Register(OpenIddictServerBuilder server) => server
        .AddEventHandler(ResourceFormat.Descriptor)
        .AddEventHandler(ClientPermissions.Descriptor);

    /// <summary>A resource indicator must be an absolute URI without a fragment.</summary>
    internal sealed class ResourceFormat : IOpenIddictServerHandler<ValidateAuthorizationRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateAuthorizationRequestContext>()
                .UseSingletonHandler<ResourceFormat>()
                .SetOrder(OpenIddictServerHandlers.Authentication.ValidateResourceParameter.Descriptor.Order - 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
        {
            foreach (var resource in context.Request.GetResources())
            {
                if (!AbsoluteUris.IsAbsoluteWithoutFragment(resource))
                {
                    context.Reject(Errors.InvalidTarget, $"Each '{Parameters.Resource}' must be an absolute URI without a fragment (RFC 8707).");
                    break;
                }
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>Every scope (protocol scopes aside) and resource must be permitted to the client.</summary>
    internal sealed class ClientPermissions(IOpenIddictApplicationManager applications) : IOpenIddictServerHandler<ValidateAuthorizationRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateAuthorizationRequestContext>()
                .UseScopedHandler<ClientPermissions>()
                .SetOrder(OpenIddictServerHandlers.Authentication.ValidateScopePermissions.Descriptor.Order - 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
        {
            // OpenIddict's client authentication, earlier in this validation, refused unknown clients.
            var application = await applications.FindByClientIdAsync(context.ClientId!, context.CancellationToken)
                ?? throw new InvalidOperationException("OpenIddict validated a client that does not exist.");

            foreach (var scope in context.Request.GetScopes())
            {
                if (scope is not (Scopes.OpenId or Scopes.OfflineAccess) &&
                    !await applications.HasPermissionAsync(application, Permissions.Prefixes.Scope + scope, context.CancellationToken))
                {
                    context.Reject(Errors.InvalidScope, "This client may not request one of the scopes it asked for.");
                    return;
                }
            }

            foreach (var resource in context.Request.GetResources())
            {
                if (!await applications.HasPermissionAsync(application, Permissions.Prefixes.Resource + resource, context.CancellationToken))
                {
                    context.Reject(Errors.InvalidTarget, "This client may not request tokens for one of the resources it asked for.");
                    return;
                }
            }
        }
    }
}
