using System.Net.Http.Headers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Perspective.Identity.OAuth;

/// <summary>
/// Client ID Metadata Documents: a client whose <c>client_id</c> is an https URL is described by
/// the JSON document at that URL. On each authorization request the document is fetched (through
/// an SSRF guard), validated, and the client's application entry created or refreshed from it.
/// </summary>
public static partial class ClientMetadataDocuments
{
    public const string HttpClientName = "client-metadata-documents";

    public static bool IsMetadataDocumentClientId(string clientId) =>
        Uri.TryCreate(clientId, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && uri.AbsolutePath.Length > 1;

    internal static IHostApplicationBuilder AddClientMetadataDocuments(this IHostApplicationBuilder builder)
    {
        var deadline = builder.Configuration.GetValue("OAuth:MetadataDocuments:Timeout", TimeSpan.FromSeconds(5));
        if (deadline <= TimeSpan.Zero)
        {
            throw new InvalidOperationException("OAuth:MetadataDocuments:Timeout must be a positive time span, such as 00:00:05.");
        }

        builder.Services.AddSingleton(services => new MetadataDocumentFetcher(services.GetRequiredService<IHttpClientFactory>(), deadline));
        builder.Services.AddHttpClient(HttpClientName, client =>
            {
                // The fetcher's own deadline covers the body too; HttpClient's would stop at the headers.
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                // Through a proxy the guard would check the proxy's address, never the document's host.
                UseProxy = false,
                // A connection attempt may outlive the request that started it (it is pooled): bound it by the same deadline.
                ConnectTimeout = deadline,
                ConnectCallback = PublicAddressGuard.ConnectAsync,
                // A refused document is not drained to reuse the connection: not one byte more than the limit is read.
                MaxResponseDrainSize = 0,
            });
        return builder;
    }

    internal static void Register(OpenIddictServerBuilder server) =>
        server.AddEventHandler<ValidateAuthorizationRequestContext>(handler => handler
            .UseScopedHandler<EnsureApplication>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ValidateClientIdParameter.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom));

    internal sealed partial class EnsureApplication(
        MetadataDocumentFetcher fetcher,
        IOpenIddictApplicationManager applications,
        RedirectUriRules rules,
        IConfiguration configuration,
        ILogger<EnsureApplication> logger) : IOpenIddictServerHandler<ValidateAuthorizationRequestContext>
    {
        public async ValueTask HandleAsync(ValidateAuthorizationRequestContext context)
        {
            var clientId = context.ClientId;
            if (clientId is null || !IsMetadataDocumentClientId(clientId))
            {
                return;
            }

            // Neither fetched nor echoed: a URL with line breaks or bidirectional overrides is made to mislead whoever reads it.
            if (RedirectUriRules.InvalidCharacterAt(clientId) is var at and >= 0)
            {
                context.Reject(Errors.InvalidClient, $"The client_id URL contains U+{(int)clientId[at]:X4}: it must be ASCII without spaces or control characters.");
                return;
            }

            var (metadata, problem) = await ReadAsync(clientId, context.CancellationToken);
            if (metadata is null)
            {
                LogRefused(clientId, problem!);
                context.Reject(Errors.InvalidClient, $"The client metadata document at {clientId} cannot be used. {problem}");
                return;
            }

            var descriptor = ClientApplications.McpClient(
                configuration, clientId, metadata.ClientName, metadata.RedirectUris.Select(u => new Uri(u)).ToList(), clientSecret: null);
            var existing = await applications.FindByClientIdAsync(clientId, context.CancellationToken);
            if (existing is null)
            {
                await applications.CreateAsync(descriptor, context.CancellationToken);
            }
            else
            {
                await applications.UpdateAsync(existing, descriptor, context.CancellationToken);
            }
        }

        /// <summary>The client's metadata from its document, or null and why the document cannot be used.</summary>
        private async Task<(ClientMetadata? Metadata, string? Problem)> ReadAsync(string clientId, CancellationToken cancellationToken)
        {
            var (document, problem) = await fetcher.FetchAsync(clientId, cancellationToken);
            if (problem is not null)
            {
                return (null, problem);
            }

            if (!ClientMetadata.TryRead(document, rules, out var metadata, out var invalid))
            {
                return (null, invalid.Description);
            }

            if (metadata.ClientId != clientId)
            {
                return (null, "Its client_id must equal the URL it is served from.");
            }

            return metadata.TokenEndpointAuthMethod is null or ClientAuthenticationMethods.None
                ? (metadata, null)
                : (null, "Its token_endpoint_auth_method must be none: metadata document clients are public clients.");
        }

        [LoggerMessage(LogLevel.Warning, "Refused the client metadata document {ClientId}: {Problem}")]
        private partial void LogRefused(string clientId, string problem);
    }
}
