using Microsoft.AspNetCore.Authentication;
using Perspective.Keys.Authentication;

namespace Perspective.McpHost.Mcp;

/// <summary>
/// How the MCP endpoint authenticates. One policy scheme selects the credential scheme for each
/// request (MCP keys and legacy tokens today; OAuth access tokens join here as a second scheme),
/// and one challenge scheme answers every failure the same way.
/// </summary>
public static class McpAuthentication
{
    public const string Scheme = "Mcp";
    public const string Policy = "McpClient";

    public static IHostApplicationBuilder AddMcpAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FailedAuthenticationThrottle>();
        builder.Services.AddOptions<FailedAuthenticationOptions>()
            .Bind(builder.Configuration.GetSection("Mcp:FailedAuthentication"))
            .Validate(options => options.Limit > 0 && options.Window > TimeSpan.Zero,
                "Mcp:FailedAuthentication needs a positive Limit and Window.")
            .ValidateOnStart();

        builder.Services.AddAuthentication()
            .AddPolicyScheme(Scheme, "MCP credentials", options =>
            {
                options.ForwardDefaultSelector = _ => McpKeyAuthenticationHandler.SchemeName;
                options.ForwardChallenge = McpChallengeHandler.SchemeName;
                options.ForwardForbid = McpChallengeHandler.SchemeName;
            })
            .AddScheme<AuthenticationSchemeOptions, McpChallengeHandler>(McpChallengeHandler.SchemeName, configureOptions: null);

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(Policy, policy => policy.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser());
        return builder;
    }
}
