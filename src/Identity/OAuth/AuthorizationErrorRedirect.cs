using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Perspective.Identity.OAuth;

/// <summary>
/// Sends an authorization request's error back to the client (RFC 6749 §4.1.2.1, with state and the
/// RFC 9207 iss) whenever the client and its redirect URI are established, and only then.
/// </summary>
/// <remarks>
/// OpenIddict redirects an error only when its whole request validation succeeded (errors from the
/// consent page); any error its validation raises — response_type, PKCE, scope, resource, prompt… —
/// is answered on the server, even for a known client with a registered redirect URI. Reordering the
/// validation cannot change that, so this handler steps in when the response is built, after
/// OpenIddict left the redirect URI empty, and establishes the two facts itself:
/// <list type="bullet">
/// <item>The client exists. A client identified by its metadata document counts only if this request
/// reached OpenIddict's client authentication, which runs after the document was fetched, validated
/// and its entry refreshed: an entry left by an older document is not trusted.</item>
/// <item>The redirect_uri was sent, is absolute without a fragment, and the application manager
/// accepts it for that client (exactly, or on any port for a native loopback client).</item>
/// </list>
/// The error then goes in the query, the only response mode this server offers. Everything else (no or
/// an unknown client, a missing or unregistered redirect URI) stays on the error page.
/// </remarks>
internal sealed class AuthorizationErrorRedirect(IOpenIddictApplicationManager applications) : IOpenIddictServerHandler<ApplyAuthorizationResponseContext>
{
    // After OpenIddict inferred the response mode (from a redirect URI it did not set) and before it
    // attaches state and iss, which it does only to redirected responses.
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyAuthorizationResponseContext>()
            .UseScopedHandler<AuthorizationErrorRedirect>()
            .SetOrder(OpenIddictServerHandlers.Authentication.InferResponseMode.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ApplyAuthorizationResponseContext context)
    {
        if (!string.IsNullOrEmpty(context.RedirectUri) || string.IsNullOrEmpty(context.Response.Error) ||
            context.Request is not { ClientId: { Length: > 0 } clientId, RedirectUri: { Length: > 0 } redirectUri } ||
            !AbsoluteUris.IsAbsoluteWithoutFragment(redirectUri) ||
            (ClientMetadataDocuments.IsMetadataDocumentClientId(clientId) && !ReachedClientAuthentication(context)))
        {
            return;
        }

        var application = await applications.FindByClientIdAsync(clientId, context.CancellationToken);
        if (application is null || !await applications.ValidateRedirectUriAsync(application, redirectUri, context.CancellationToken))
        {
            return;
        }

        context.RedirectUri = redirectUri;
        context.ResponseMode = ResponseModes.Query;
    }

    private static bool ReachedClientAuthentication(ApplyAuthorizationResponseContext context) =>
        context.Transaction.GetProperty<ProcessAuthenticationContext>(typeof(ProcessAuthenticationContext).FullName!) is not null;
}
