using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.AspNetCore.OpenIddictServerAspNetCoreHandlers;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Perspective.Identity.OAuth;

/// <summary>
/// Reads the form body of an authorization, token or revocation request just before OpenIddict
/// would, so a body ASP.NET Core refuses to parse — a key longer than 2 KiB, a NUL character, a
/// content type that only starts like a form's — is the client's invalid_request instead of an
/// unhandled exception and a 500; so is a parameter with NUL, in the query or the form. OpenIddict
/// then finds the form already read.
/// </summary>
internal static class FormBodyGuard
{
    private const string FormContentType = "application/x-www-form-urlencoded";

    public static void Register(OpenIddictServerBuilder server) => server
        .AddEventHandler(Handler<ExtractAuthorizationRequestContext>.Before(ExtractGetOrPostRequest<ExtractAuthorizationRequestContext>.Descriptor))
        .AddEventHandler(Handler<ExtractTokenRequestContext>.Before(ExtractPostRequest<ExtractTokenRequestContext>.Descriptor))
        .AddEventHandler(Handler<ExtractRevocationRequestContext>.Before(ExtractPostRequest<ExtractRevocationRequestContext>.Descriptor));

    internal sealed class Handler<TContext> : IOpenIddictServerHandler<TContext> where TContext : BaseValidatingContext
    {
        public static OpenIddictServerHandlerDescriptor Before(OpenIddictServerHandlerDescriptor extraction) =>
            OpenIddictServerHandlerDescriptor.CreateBuilder<TContext>()
                .AddFilter<OpenIddictServerAspNetCoreHandlerFilters.RequireHttpRequest>()
                .UseSingletonHandler<Handler<TContext>>()
                .SetOrder(extraction.Order - 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public async ValueTask HandleAsync(TContext context)
        {
            var request = context.Transaction.GetHttpRequest()
                ?? throw new InvalidOperationException("The OAuth request has no HTTP request.");

            // Exactly the requests OpenIddict reads as a form; it answers every other POST itself.
            var isForm = HttpMethods.IsPost(request.Method) && request.ContentType?.StartsWith(FormContentType, StringComparison.OrdinalIgnoreCase) == true;
            if (isForm && !request.HasFormContentType)
            {
                context.Reject(Errors.InvalidRequest, $"The body must be sent as {FormContentType}.");
                return;
            }

            try
            {
                var form = isForm ? await request.ReadFormAsync(context.CancellationToken) : null;

                // No client id, scope, resource or redirect URI contains NUL, and PostgreSQL cannot even
                // compare text with it: such a request is malformed before anything is looked up.
                if (request.Query.Concat(form ?? Enumerable.Empty<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>>())
                    .Any(parameter => parameter.Key.Contains('\0', StringComparison.Ordinal) ||
                                      parameter.Value.Any(value => value?.Contains('\0', StringComparison.Ordinal) == true)))
                {
                    context.Reject(Errors.InvalidRequest, "The request parameters must not contain NUL characters (U+0000).");
                }
            }
            catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
            {
                context.Reject(Errors.InvalidRequest, "The form body cannot be read: it is malformed or too large.");
            }
        }
    }
}
