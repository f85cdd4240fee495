using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json;
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
    private const int MaxDocumentBytes = 64 * 1024;

    public static bool IsMetadataDocumentClientId(string clientId) =>
        Uri.TryCreate(clientId, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && uri.AbsolutePath.Length > 1;

    internal static IHostApplicationBuilder AddClientMetadataDocuments(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHttpClient(HttpClientName, client =>
            {
                client.Timeout = TimeSpan.FromSeconds(5);
                client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                ConnectTimeout = TimeSpan.FromSeconds(3),
                ConnectCallback = PublicAddressGuard.ConnectAsync,
            });
        return builder;
    }

    internal static void Register(OpenIddictServerBuilder server) =>
        server.AddEventHandler<ValidateAuthorizationRequestContext>(handler => handler
            .UseScopedHandler<EnsureApplication>()
            .SetOrder(OpenIddictServerHandlers.Authentication.ValidateClientIdParameter.Descriptor.Order + 1)
            .SetType(OpenIddictServerHandlerType.Custom));

    internal sealed partial class EnsureApplication(
        IHttpClientFactory httpClients,
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

            var (document, problem) = await FetchAsync(clientId, context.CancellationToken);
            string? name = null;
            IReadOnlyList<Uri> redirectUris = [];
            if (document is { } json)
            {
                problem = Validate(clientId, json, out name, out redirectUris);
            }

            if (problem is not null)
            {
                LogRefused(clientId, problem);
                context.Reject(Errors.InvalidClient, $"The client metadata document at {clientId} cannot be used: {problem}");
                return;
            }

            var descriptor = ClientApplications.McpClient(configuration, clientId, name, redirectUris, clientSecret: null);
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

        private async Task<(JsonElement? Document, string? Problem)> FetchAsync(string url, CancellationToken cancellationToken)
        {
            try
            {
                using var response = await httpClients.CreateClient(HttpClientName)
                    .GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return (null, $"fetching it returned HTTP {(int)response.StatusCode} (redirects are not followed).");
                }

                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                var buffer = new byte[MaxDocumentBytes + 1];
                var length = 0;
                int read;
                while ((read = await body.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
                {
                    length += read;
                    if (length > MaxDocumentBytes)
                    {
                        return (null, $"it is larger than {MaxDocumentBytes / 1024} KiB.");
                    }
                }

                return (JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone(), null);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or SocketException)
            {
                return (null, e is JsonException ? "it is not JSON." : "it could not be fetched from a public address in time.");
            }
        }

        private string? Validate(string clientId, JsonElement document, out string? name, out IReadOnlyList<Uri> redirectUris)
        {
            name = null;
            redirectUris = [];
            if (document.ValueKind != JsonValueKind.Object)
            {
                return "it is not a JSON object.";
            }

            if (!document.TryGetProperty("client_id", out var declared) || declared.ValueKind != JsonValueKind.String || declared.GetString() != clientId)
            {
                return "its client_id must equal the URL it is served from.";
            }

            if (!document.TryGetProperty("redirect_uris", out var uris) || uris.ValueKind != JsonValueKind.Array ||
                uris.GetArrayLength() is 0 or > 10 || uris.EnumerateArray().Any(u => u.ValueKind != JsonValueKind.String))
            {
                return "redirect_uris must list 1 to 10 redirect URIs.";
            }

            var values = uris.EnumerateArray().Select(u => u.GetString()!).ToList();
            if (values.Select(rules.Problem).FirstOrDefault(p => p is not null) is { } problem)
            {
                return problem;
            }

            if (document.TryGetProperty("token_endpoint_auth_method", out var method) && method.GetString() != ClientAuthenticationMethods.None)
            {
                return "token_endpoint_auth_method must be none: metadata document clients are public clients.";
            }

            name = document.TryGetProperty("client_name", out var clientName) && clientName.ValueKind == JsonValueKind.String
                ? clientName.GetString()?.Trim() is { Length: > 0 and <= 200 } trimmed ? trimmed : null
                : null;
            redirectUris = values.Select(v => new Uri(v)).ToList();
            return null;
        }

        [LoggerMessage(LogLevel.Warning, "Refused the client metadata document {ClientId}: {Problem}")]
        private partial void LogRefused(string clientId, string problem);
    }
}
