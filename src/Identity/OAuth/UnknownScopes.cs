using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Perspective.Identity.OAuth;

/// <summary>
/// Drops the scopes this server does not know from an authorization request before anything reads
/// them, as RFC 6749 §3.3 allows: clients ask for scopes of other servers or of newer versions, and
/// such a scope must neither fail the request nor grant anything. Known scopes the client may not have
/// (management, admin) still fail with invalid_scope (<see cref="ScopeAndResourceErrors"/>).
/// </summary>
internal sealed class UnknownScopes : IOpenIddictServerHandler<ValidateAuthorizationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateAuthorizationRequestContext>()
            .UseSingletonHandler<UnknownScopes>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ValidateScopes.Descriptor.Order - 1_000)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
    {
        var scopes = context.Request.GetScopes();
        var known = scopes.Where(context.Options.Scopes.Contains).ToList();
        if (known.Count != scopes.Length)
        {
            context.Request.Scope = known.Count == 0 ? null : string.Join(' ', known);
        }

        return ValueTask.CompletedTask;
    }
}
