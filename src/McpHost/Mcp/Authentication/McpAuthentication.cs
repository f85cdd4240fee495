using Perspective.Identity.Access;
using Perspective.Identity.OAuth;
using Perspective.Platform.Http;

namespace Perspective.McpHost.Mcp.Authentication;

/// <summary>
/// How the MCP endpoint authenticates: one scheme (<see cref="McpCredentialHandler"/>) for every
/// kind of credential, answering failures through <see cref="McpChallenge"/>, and one policy.
/// </summary>
public static class McpAuthentication
{
    public const string Policy = "McpClient";

    public static IHostApplicationBuilder AddMcpAuthentication(this IHostApplicationBuilder builder)
    {
        builder.AddFailureThrottle<FailedAuthenticationThrottle, FailedAuthenticationOptions>("Mcp:FailedAuthentication");
        builder.Services.AddSingleton<ValidatedAccessTokens>();
        builder.Services.AddSingleton<McpChallenge>();
        // Registered, the handler is built by the container's compiled factory on every request
        // rather than by reflection (ASP.NET Core looks a handler up in the container first).
        builder.Services.AddScoped<McpCredentialHandler>();

        var audience = OAuthScopes.McpResource(builder.Configuration);
        builder.Services.AddAuthentication()
            .AddScheme<McpCredentialOptions, McpCredentialHandler>(McpCredentialHandler.SchemeName, "MCP credentials", options => options.Audience = audience);

        // An OAuth app must have been granted the mcp scope; keys and the legacy token are MCP credentials by nature.
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy
                .AddAuthenticationSchemes(McpCredentialHandler.SchemeName)
                .RequireAuthenticatedUser()
                .RequireAssertion(context => context.User.FindCaller()?.MayUseTools == true));
        return builder;
    }
}
