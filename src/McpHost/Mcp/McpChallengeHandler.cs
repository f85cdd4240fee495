using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Perspective.Identity.Access;
using Perspective.Identity.OAuth;
using Perspective.Platform.Hosting;
using Perspective.Platform.Http;

namespace Perspective.McpHost.Mcp;

/// <summary>
/// Answers an MCP request that did not authenticate: 401 with the <c>WWW-Authenticate</c> header
/// that points OAuth-capable clients at the protected resource metadata (RFC 9728), or 429 with
/// <c>Retry-After</c> when the client address has failed too often. Each refused credential is
/// counted by reason and logged as one warning (never the credential); an address over the limit
/// is logged once, when it reaches it, not for each 429. A request without any credential is the
/// first step of OAuth discovery: answered, not logged.
/// </summary>
public sealed partial class McpChallengeHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    FailedAuthenticationThrottle throttle,
    PlatformMetrics metrics,
    IConfiguration configuration)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "McpChallenge";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync() => Task.FromResult(AuthenticateResult.NoResult());

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var client = Context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var credentialPresented = BearerToken.IsPresent(Request);

        // Only failures are throttled: a request without credentials is the first step of OAuth
        // discovery and must keep getting the challenge that points to the metadata.
        if (credentialPresented && throttle.RetryAfter(client) is { } wait)
        {
            metrics.AuthenticationFailure(CredentialFailure.Throttled);
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            await Response.WriteAsync("Too many failed authentications from this address. Wait, then retry with a valid MCP key.");
            return;
        }

        if (credentialPresented)
        {
            var reason = CredentialFailure.ReasonOf(await Context.AuthenticateAsync(McpAuthentication.Scheme),
                McpAuthentication.IsAccessToken(Request) ? CredentialFailure.InvalidAccessToken : CredentialFailure.NotACredential);
            metrics.AuthenticationFailure(reason);
            throttle.RecordFailure(client);
            if (throttle.RetryAfter(client) is { } refusedFor)
            {
                LogRefusedAndThrottled(Logger, client, reason, Math.Ceiling(refusedFor.TotalSeconds));
            }
            else
            {
                LogRefused(Logger, client, reason);
            }
        }

        var error = credentialPresented ? "error=\"invalid_token\", " : "";
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate =
            $"Bearer {error}resource_metadata=\"{ProtectedResourceMetadata.DocumentUrl(configuration)}\", scope=\"{OAuthScopes.Mcp}\"";
        await Response.WriteAsync(Explanation(credentialPresented));
    }

    // What the person behind the client should do: an OAuth app reconnects, a key is replaced.
    private string Explanation(bool credentialPresented) => (credentialPresented, McpAuthentication.IsAccessToken(Request)) switch
    {
        (false, _) => $"Authenticate with 'Authorization: Bearer <MCP key>' or through OAuth; see {PlatformUrls.McpEndpointUrl(configuration)}.",
        (true, true) => "The access token is not valid: it expired, or the app was disconnected under Settings → Connected Apps. Reconnect the app from your MCP client.",
        (true, false) => "The MCP credential is not valid: it may be mistyped, deleted or revoked. Create a new MCP key in Settings → MCP.",
    };

    // Only an OAuth token without the mcp scope authenticates yet is not allowed in.
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        metrics.AuthenticationFailure(CredentialFailure.InsufficientScope);
        LogRefused(Logger, Context.Connection.RemoteIpAddress?.ToString() ?? "unknown", CredentialFailure.InsufficientScope);
        Response.StatusCode = StatusCodes.Status403Forbidden;
        Response.Headers.WWWAuthenticate =
            $"Bearer error=\"insufficient_scope\", scope=\"{OAuthScopes.Mcp}\", resource_metadata=\"{ProtectedResourceMetadata.DocumentUrl(configuration)}\"";
        return Task.CompletedTask;
    }

    // The base class's own lines (challenged, forbidden) are Information and off in production: these are the one line.
    [LoggerMessage(1, LogLevel.Warning, "Refused an MCP request from {ClientAddress}: {Reason}.")]
    private static partial void LogRefused(ILogger logger, string clientAddress, string reason);

    [LoggerMessage(2, LogLevel.Warning,
        "Refused an MCP request from {ClientAddress}: {Reason}. The address reached the failure limit: its failing requests are answered 429 for {Seconds} s and not logged.")]
    private static partial void LogRefusedAndThrottled(ILogger logger, string clientAddress, string reason, double seconds);
}
