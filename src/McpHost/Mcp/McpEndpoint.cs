using System.Text.Json;
using ModelContextProtocol;
using Perspective.McpHost.Extensions;
using Perspective.McpHost.Mcp.Tools;

namespace Perspective.McpHost.Mcp;

/// <summary>The MCP endpoint: Streamable HTTP at <c>/mcp</c>, stateless so any instance serves any request.</summary>
public static class McpEndpoint
{
    public const string Path = "/mcp";

    // Tool results read as snake_case, like the tool and parameter names.
    private static readonly JsonSerializerOptions ToolJson = new(McpJsonUtilities.DefaultOptions)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static IHostApplicationBuilder AddMcpEndpoint(this IHostApplicationBuilder builder)
    {
        builder.AddMcpAuthentication();
        builder.Services.AddScoped<WorkspaceAccess>();
        builder.Services
            .AddMcpServer(options =>
            {
                options.ServerInfo = new() { Name = "perspective", Title = "Perspective", Version = "1.0.0" };
                options.ServerInstructions =
                    "Perspective organizes work in workspaces. Call workspace_list first, then pass a workspace_id to the other tools.";
            })
            .WithHttpTransport(options => options.Stateless = true)
            .WithTools<WorkspaceTools>(ToolJson)
            .WithTools<PerspectiveTools>(ToolJson)
            .WithTools<ConversationTools>(ToolJson)
            .WithDatabaseOutageResults();
        return builder;
    }

    public static IEndpointRouteBuilder MapMcpEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapProtectedResourceMetadata();
        endpoints.MapMcp(Path).RequireAuthorization(McpAuthentication.Policy);
        return endpoints;
    }
}
