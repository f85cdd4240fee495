using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Perspective.Identity.Access;
using Perspective.Identity.OAuth;
using Perspective.Platform.Hosting;
using Perspective.Platform.Http;

namespace Perspective.McpHost.Mcp.Authentication;

/// <summary>
/// Answers an MCP request that did not authenticate: 401 with the <c>WWW-Authenticate</c> header
/// that points OAuth-capable clients at the protected resource metadata (RFC 9728), or 429 with
/// <c>Retry-After</c> when the client address has failed too often. Each refused credential is
/// counted by reason and logged as one warning (never the credential); an address over the limit
/// is logged once, when it reaches it, not for each 429. A request without any credential is the
/// first step of OAuth discovery: answered, not logged.
/// </summary>
public sealed partial class McpChallenge(
    FailedAuthenticationThrottle throttle,
    PlatformMetrics metrics,
    IConfiguration configuration,
    ILogger<McpChallenge> logger)
{
    public async Task WriteChallengeAsync(HttpContext context, AuthenticateResult? result)
    {
        var request = context.Request;
        var response = context.Response;
        var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        var credentialPresented = BearerToken.IsPresent(request);

        // Only failures are throttled: a request without credentials is the first step of OAuth
        // discovery and must keep getting the challenge that points to the metadata.
        if (credentialPresented && throttle.RetryAfter(client) is { } wait)
        {
            metrics.AuthenticationFailure(CredentialFailure.Throttled);
            response.StatusCode = StatusCodes.Status429TooManyRequests;
            response.Headers.RetryAfter = Math.Ceiling(wait.TotalSeconds).ToString(CultureInfo.InvariantCulture);
            await response.WriteAsync("Too many failed authentications from this address. Wait, then retry with a valid MCP key.");
            return;
        }

        var accessToken = BearerToken.TryRead(request, out var token) && McpCredentialHandler.IsAccessToken(token);
        if (credentialPresented)
        {
            var reason = CredentialFailure.ReasonOf(result, accessToken ? CredentialFailure.InvalidAccessToken : CredentialFailure.NotACredential);
            metrics.AuthenticationFailure(reason);
            throttle.RecordFailure(client);
            if (throttle.RetryAfter(client) is { } refusedFor)
            {
                LogRefusedAndThrottled(logger, client, reason, Math.Ceiling(refusedFor.TotalSeconds));
            }
            else
            {
                LogRefused(logger, client, reason);
            }
        }

        var error = credentialPresented ? "error=\"invalid_token\", " : "";
        response.StatusCode = StatusCodes.Status401Unauthorized;
        response.Headers.WWWAuthenticate =
            $"Bearer {error}resource_metadata=\"{ProtectedResourceMetadata.DocumentUrl(configuration)}\", scope=\"{OAuthScopes.McpReadWrite}\"";
        // An expired key's own message says when it expired and what to do; the others are deliberately alike.
        await response.WriteAsync(CredentialFailure.ReasonOf(result, "") == CredentialFailure.ExpiredKey && result?.Failure is { } expired
            ? expired.Message
            : Explanation(credentialPresented, accessToken));
    }

    /// <summary>Only an OAuth token without any MCP scope authenticates yet is not allowed in.</summary>
    public Task WriteForbiddenAsync(HttpContext context)
    {
        RefuseForScope(context);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A read-only OAuth grant called a tool that changes data: 403 with the scope to ask for (step-up
    /// authorization), so that the client can have the user grant read &amp; write and retry. The body
    /// is the JSON-RPC error the client shows when it cannot step up.
    /// </summary>
    public Task WriteInsufficientScopeAsync(HttpContext context, string message, System.Text.Json.JsonElement? id)
    {
        RefuseForScope(context);
        return JsonRpcErrorResponse.WriteAsync(context, StatusCodes.Status403Forbidden, JsonRpcErrorResponse.TransportError, message, id);
    }

    private void RefuseForScope(HttpContext context)
    {
        metrics.AuthenticationFailure(CredentialFailure.InsufficientScope);
        LogRefused(logger, context.Connection.RemoteIpAddress?.ToString() ?? "unknown", CredentialFailure.InsufficientScope);
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        context.Response.Headers.WWWAuthenticate =
            $"Bearer error=\"insufficient_scope\", scope=\"{OAuthScopes.McpReadWrite}\", resource_metadata=\"{ProtectedResourceMetadata.DocumentUrl(configuration)}\"";
    }

    // What the person behind the client should do: an OAuth app reconnects, a key is replaced.
    private string Explanation(bool credentialPresented, bool accessToken) => (credentialPresented, accessToken) switch
    {
        (false, _) => $"Authenticate with 'Authorization: Bearer <MCP key>' or through OAuth; see {PlatformUrls.McpEndpointUrl(configuration)}.",
        (true, true) => "The access token is not valid: it expired, or the app was disconnected under Settings → Connected Apps. Reconnect the app from your MCP client.",
        (true, false) => "The MCP credential is not valid: it may be mistyped, deleted or revoked. Create a new MCP key in Settings → MCP.",
    };

    // ASP.NET Core's own lines (challenged, forbidden) are Information and off in production: these are the one line.
    [LoggerMessage(1, LogLevel.Warning, "Refused an MCP request from {ClientAddress}: {Reason}.")]
    private static partial void LogRefused(ILogger logger, string clientAddress, string reason);

    [LoggerMessage(2, LogLevel.Warning,
        "Refused an MCP request from {ClientAddress}: {Reason}. The address reached the failure limit: its failing requests are answered 429 for {Seconds} s and not logged.")]
    private static partial void LogRefusedAndThrottled(ILogger logger, string clientAddress, string reason, double seconds);
}
