using Microsoft.EntityFrameworkCore;
using ModelContextProtocol.AspNetCore;
using Perspective.Identity.Access;
using Perspective.Identity.Seeding;
using Perspective.Identity.Storage;
using Perspective.Keys.Storage;
using Perspective.McpHost.Admin;
using Perspective.McpHost.Content;
using Perspective.McpHost.Extensions;
using Perspective.McpHost.Mcp;
using System.Security.Claims;

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
        builder.Services.ConfigureDbContext<Perspective.Activity.Storage.ActivityDataContext>(options => options.AddInterceptors(writes));

        var app = builder.Build();
        await app.PrepareDatabaseAsync();
        var demoUserId = await DemoUserIdAsync(app.Services);

        app.UsePlatformPipeline();
        // The baseline: the same tools, the same workspace checks, no credential at all. Like a
        // credential lookup it reads the caller's workspaces (the demo user's memberships) on every request.
        app.UseWhen(context => context.Request.Path.StartsWithSegments(AnonymousMcpPath), anonymous => anonymous.Use(async (context, next) =>
        {
            var db = context.RequestServices.GetRequiredService<IdentityDataContext>();
            var workspaces = new List<ReachableWorkspace>();
            await foreach (var workspace in MembershipsOf(db, demoUserId).WithCancellation(context.RequestAborted))
            {
                workspaces.Add(workspace);
            }

            var caller = new McpCaller(demoUserId, McpCredentialKind.McpKey, "bench", "Benchmark baseline", workspaces, McpCaller.ReadWrite);
            context.User = new ClaimsPrincipal(new McpCallerIdentity(caller, "bench"));
            await next(context);
        }));
        app.MapPlatformModules();
        app.MapMcp(AnonymousMcpPath);
        app.MapGet(StatsPath, () => Results.Json(new BenchStats(GC.GetTotalAllocatedBytes(precise: false), writes.Commands, writes.Writes)));
        await app.RunAsync();
    }

    private static readonly Func<IdentityDataContext, string, IAsyncEnumerable<ReachableWorkspace>> MembershipsOf =
        EF.CompileAsyncQuery((IdentityDataContext db, string userId) =>
            db.Memberships.AsNoTracking()
                .Where(m => m.UserId == userId)
                .OrderBy(m => m.Workspace!.Name).ThenBy(m => m.Workspace!.Slug)
                .Select(m => new ReachableWorkspace(m.WorkspaceId, m.Workspace!.Slug, m.Workspace.Name, m.Role)));

    private static async Task<string> DemoUserIdAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDataContext>();
        return (await db.Users.SingleAsync(u => u.Email == DemoSeed.DemoEmail)).Id;
    }
}

/// <summary>What the bench host reports between scenarios.</summary>
public sealed record BenchStats(long AllocatedBytes, long Commands, long Writes);
