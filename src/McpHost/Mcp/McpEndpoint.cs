using System.Text.Json;
using ModelContextProtocol;
using Perspective.McpHost.Extensions;
using Perspective.McpHost.Mcp.Authentication;
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
        builder.Services.AddOptions<McpTransportOptions>()
            .Bind(builder.Configuration.GetSection(McpTransportOptions.Section))
            .Validate(options => options.MaxRequestBodySize > 0, "Mcp:MaxRequestBodySize must be a positive number of bytes.")
            .ValidateOnStart();
        builder.Services.AddSingleton<McpOrigins>();
        builder.Services.AddHttpContextAccessor();
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
            .WithToolAccess()
            .WithToolActivity()
            .WithToolArgumentChecks()
            .WithDatabaseOutageResults();
        return builder;
    }

    /// <summary>Before authentication: the refusals that need no credential (foreign host or origin, not JSON, too large).</summary>
    public static IApplicationBuilder UseMcpRequestGuard(this IApplicationBuilder app) =>
        app.UseWhen(IsMcpPath, mcp => mcp.UseMiddleware<McpRequestGuard>());

    /// <summary>After authorization: the body of a request that may use the endpoint, read within the limit and checked.</summary>
    public static IApplicationBuilder UseMcpRequestBody(this IApplicationBuilder app) =>
        app.UseWhen(context => IsMcpPath(context) && HttpMethods.IsPost(context.Request.Method), mcp => mcp.UseMiddleware<McpRequestBody>());

    public static IEndpointRouteBuilder MapMcpEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapProtectedResourceMetadata();
        endpoints.MapMcp(Path).RequireAuthorization(McpAuthentication.Policy);

        // Stateless Streamable HTTP has no event stream to GET and no session to DELETE: 405 (after the
        // same authentication as POST, so a client without credentials gets the 401 challenge first).
        endpoints.MapMethods(Path, [HttpMethods.Get, HttpMethods.Head, HttpMethods.Delete, HttpMethods.Put, HttpMethods.Patch], async context =>
            {
                context.Response.Headers.Allow = HttpMethods.Post;
                await JsonRpcErrorResponse.WriteAsync(context, StatusCodes.Status405MethodNotAllowed, JsonRpcErrorResponse.TransportError,
                    $"Method Not Allowed: this MCP server is stateless; send JSON-RPC messages with POST {Path}.");
            })
            .RequireAuthorization(McpAuthentication.Policy);
        return endpoints;
    }

    // Every spelling routing maps to the endpoint (any case, a trailing slash), matched on the path so
    // that the guard also answers what routing alone would refuse without a JSON-RPC body (e.g. 415).
    internal static bool IsMcpPath(HttpContext context) =>
        context.Request.Path.Equals(Path, StringComparison.OrdinalIgnoreCase) ||
        context.Request.Path.Equals(Path + "/", StringComparison.OrdinalIgnoreCase);
}
