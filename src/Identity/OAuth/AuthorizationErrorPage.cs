using System.Text.Encodings.Web;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Http;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Perspective.Identity.OAuth;

/// <summary>
/// The page a user sees when an authorization request fails and cannot go back to the client (no or
/// an unknown client, a redirect URI that is missing or not registered): what went wrong, in the
/// account pages' style, instead of OpenIddict's plain-text answer.
/// </summary>
/// <remarks>
/// Always 400: OpenIddict answers invalid_client with 401, which promises an HTTP authentication
/// challenge a browser cannot take up. Everything from the request is HTML-encoded, and the page
/// loads nothing but the account stylesheet and cannot be framed.
/// </remarks>
internal sealed class AuthorizationErrorPage : IOpenIddictServerHandler<ApplyAuthorizationResponseContext>
{
    private const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    // Before OpenIddict writes its plain-text error (the redirects are sent earlier).
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<ApplyAuthorizationResponseContext>()
            .AddFilter<OpenIddictServerAspNetCoreHandlerFilters.RequireHttpRequest>()
            .UseSingletonHandler<AuthorizationErrorPage>()
            .SetOrder(OpenIddictServerAspNetCoreHandlers.ProcessLocalErrorResponse<ApplyAuthorizationResponseContext>.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public async ValueTask HandleAsync(ApplyAuthorizationResponseContext context)
    {
        if (!string.IsNullOrEmpty(context.RedirectUri) || string.IsNullOrEmpty(context.Response.Error))
        {
            return;
        }

        var request = context.Transaction.GetHttpRequest()
            ?? throw new InvalidOperationException("The authorization response has no HTTP request.");
        var response = request.HttpContext.Response;
        response.StatusCode = StatusCodes.Status400BadRequest;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
        await response.WriteAsync(Html(request.PathBase, context.Response.Error, context.Response.ErrorDescription), context.CancellationToken);
        context.HandleRequest();
    }

    private static string Html(PathString pathBase, string error, string? description)
    {
        var html = HtmlEncoder.Default;
        return $"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
              <meta charset="utf-8" />
              <meta name="viewport" content="width=device-width, initial-scale=1" />
              <title>The app's request cannot be used · Perspective</title>
              <link rel="stylesheet" href="{html.Encode(pathBase + "/_content/Perspective.Identity/account.css")}" />
            </head>
            <body>
              <main class="account-card">
                <p class="brand">Perspective</p>
                <h1>The app's request cannot be used</h1>
                <p class="error" role="alert" id="error-description">{html.Encode(description ?? "The authorization request is not valid.")}</p>
                <p class="hint">The app that sent you here asked for access in a way Perspective cannot accept, and it could not
                  safely be sent back to the app. Return to the app and try again; if this keeps happening, tell its developers.</p>
                <p class="hint">Error code: <code id="error">{html.Encode(error)}</code></p>
              </main>
            </body>
            </html>
            """;
    }
}
