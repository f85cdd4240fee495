using Microsoft.AspNetCore.Authentication;
using OpenIddict.Abstractions;
using Perspective.Identity.Access;
using Perspective.Identity.OAuth;
using Perspective.Keys.Authentication;
using Perspective.Platform.Http;

namespace Perspective.McpHost.Mcp;

/// <summary>
/// How the MCP endpoint authenticates. One policy scheme selects the credential scheme for each
/// request (MCP keys and legacy tokens, or OAuth access tokens for the MCP resource), and one
/// challenge scheme answers every failure the same way.
/// </summary>
public static class McpAuthentication
{
    public const string Scheme = "Mcp";
    public const string Policy = "McpClient";

    public static IHostApplicationBuilder AddMcpAuthentication(this IHostApplicationBuilder builder)
    {
        builder.AddFailureThrottle<FailedAuthenticationThrottle, FailedAuthenticationOptions>("Mcp:FailedAuthentication");

        builder.Services.AddAuthentication()
            .AddPolicyScheme(Scheme, "MCP credentials", options =>
            {
                options.ForwardDefaultSelector = context => IsAccessToken(context.Request)
                    ? OAuthBearerAuthenticationHandler.McpScheme
                    : McpKeyAuthenticationHandler.SchemeName;
                options.ForwardChallenge = McpChallengeHandler.SchemeName;
                options.ForwardForbid = McpChallengeHandler.SchemeName;
            })
            .AddScheme<AuthenticationSchemeOptions, McpChallengeHandler>(McpChallengeHandler.SchemeName, configureOptions: null);

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy
                .AddAuthenticationSchemes(Scheme)
                .RequireAuthenticatedUser()
                .RequireAssertion(context => context.User.FindFirst(McpClaims.Credential)?.Value != McpClaims.CredentialKinds.OAuth ||
                                             context.User.HasScope(OAuthScopes.Mcp)));
        return builder;
    }

    // OAuth access tokens are JWTs (three dot-separated parts, five when encrypted); MCP keys and
    // legacy tokens contain no dot.
    internal static bool IsAccessToken(HttpRequest request) =>
        BearerToken.TryRead(request, out var token) && token.Count(c => c == '.') is 2 or 4;
}
