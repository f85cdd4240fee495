using Microsoft.EntityFrameworkCore;
using ModelContextProtocol.AspNetCore;
using Perspective.Identity.Access;
using Perspective.Identity.Seeding;
using Perspective.Identity.Storage;
using Perspective.Keys.Storage;
using Perspective.McpHost.Admin;
using Perspective.McpHost.Content;
using Perspective.McpHost.Extensions;

namespace Perspective.Bench;

/// <summary>
/// The product host composed by the same <see cref="PlatformComposition"/> calls as its Program
/// does, plus what only a benchmark may have: an MCP endpoint without authentication (the
/// baseline the authenticated one is compared with) and counters of allocations and writes.
/// </summary>
internal static class BenchHost
{
    public const string AnonymousMcpPath = "/bench/anonymous-mcp";
    public const string StatsPath = "/bench/stats";

    public static async Task RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args.Where(a => a != "--host").ToArray());
        builder.AddPlatformModules();

        var writes = new WriteCounter();
        builder.Services.ConfigureDbContext<IdentityDataContext>(options => options.AddInterceptors(writes));
        builder.Services.ConfigureDbContext<KeysDataContext>(options => options.AddInterceptors(writes));
        builder.Services.ConfigureDbContext<ContentDataContext>(options => options.AddInterceptors(writes));
        builder.Services.ConfigureDbContext<AdminDataContext>(options => options.AddInterceptors(writes));

        var app = builder.Build();
        await app.PrepareDatabaseAsync();
        var anonymousCaller = await DemoCallerAsync(app.Services);

        app.UsePlatformPipeline();
        // The baseline: the same tools, the same workspace checks, no credential at all.
        app.UseWhen(context => context.Request.Path.StartsWithSegments(AnonymousMcpPath), anonymous => anonymous.Use((context, next) =>
        {
            context.User = anonymousCaller;
            return next(context);
        }));
        app.MapPlatformModules();
        app.MapMcp(AnonymousMcpPath);
        app.MapGet(StatsPath, () => Results.Json(new BenchStats(GC.GetTotalAllocatedBytes(precise: false), writes.Commands, writes.Writes)));
        await app.RunAsync();
    }

    // The demo user scoped to both their workspaces: the same claims the benchmark's key carries.
    private static async Task<System.Security.Claims.ClaimsPrincipal> DemoCallerAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDataContext>();
        var demo = await db.Users.SingleAsync(u => u.Email == DemoSeed.DemoEmail);
        var workspaces = await db.Memberships.Where(m => m.UserId == demo.Id).Select(m => m.WorkspaceId).ToListAsync();
        return McpClaims.CreatePrincipal("bench", demo.Id, McpClaims.CredentialKinds.McpKey, "bench", workspaces);
    }
}

/// <summary>What the bench host reports between scenarios.</summary>
public sealed record BenchStats(long AllocatedBytes, long Commands, long Writes);
