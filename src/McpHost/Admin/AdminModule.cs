using Microsoft.AspNetCore.Authorization;
using OpenIddict.Abstractions;
using Perspective.Identity.OAuth;
using Perspective.McpHost.Admin.Postgres;
using Perspective.Platform.Storage;

namespace Perspective.McpHost.Admin;

/// <summary>The admin service for operators, its client-credentials client and the audit log of every call to it.</summary>
public static class AdminModule
{
    public const string Policy = "Admin";

    public static IHostApplicationBuilder AddAdminModule(this IHostApplicationBuilder builder)
    {
        builder.AddPlatformDbContext<AdminDataContext, PostgresAdminDataContext>(AdminDataContext.MigrationsHistoryTable, AdminDataContext.MigrationOrder);
        builder.Services.AddScoped<AuditLog>();
        builder.Services.AddScoped<AdminClient>();
        builder.Services.AddGrpc().AddServiceOptions<AdminGrpcService>(options => options.Interceptors.Add<AdminAuditInterceptor>());
        builder.Services.AddSingleton<IAuthorizationMiddlewareResultHandler, AdminRefusalAudit>();

        // Only an access token for the management audience with the admin scope: never a sign-in
        // cookie, an MCP key, or a user's token without the admin scope.
        builder.Services.AddAuthorizationBuilder().AddPolicy(Policy, policy => policy
            .AddAuthenticationSchemes(OAuthBearerAuthenticationHandler.ManagementScheme)
            .RequireAuthenticatedUser()
            .RequireAssertion(context => context.User.HasScope(OAuthScopes.Admin)));
        return builder;
    }

    public static IEndpointRouteBuilder MapAdminModule(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<AdminGrpcService>().EnableGrpcWeb().RequireAuthorization(Policy);
        return endpoints;
    }
}
