using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Server;
using Perspective.Platform.Hosting;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Perspective.Identity.OAuth;

/// <summary>Counts what the token and revocation endpoints did, from their responses (errors are not counted).</summary>
internal static class TokenMetrics
{
    public static void Register(OpenIddictServerBuilder server) => server
        .AddEventHandler(Issued.Descriptor)
        .AddEventHandler(Revoked.Descriptor);

    /// <summary>A token response that carries an access token: issued, by grant type (refresh_token is a refresh).</summary>
    internal sealed class Issued(PlatformMetrics metrics) : IOpenIddictServerHandler<ApplyTokenResponseContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyTokenResponseContext>()
                .UseSingletonHandler<Issued>()
                .SetOrder(int.MinValue + 100_000)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ApplyTokenResponseContext context)
        {
            // Only a grant type the server accepted reaches a response with a token, so the tag stays a short list.
            if (string.IsNullOrEmpty(context.Error) && context.Response.AccessToken is not null && context.Request?.GrantType is { } grantType)
            {
                metrics.TokensIssued(grantType);
            }

            return ValueTask.CompletedTask;
        }
    }

    /// <summary>A revocation request (RFC 7009) the server accepted.</summary>
    internal sealed class Revoked(PlatformMetrics metrics) : IOpenIddictServerHandler<ApplyRevocationResponseContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyRevocationResponseContext>()
                .UseSingletonHandler<Revoked>()
                .SetOrder(int.MinValue + 100_000)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ApplyRevocationResponseContext context)
        {
            if (string.IsNullOrEmpty(context.Error))
            {
                metrics.TokenRevoked();
            }

            return ValueTask.CompletedTask;
        }
    }
}
