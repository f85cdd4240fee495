using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenIddict.EntityFrameworkCore.Models;
using Perspective.Identity.OAuth;
using Perspective.Identity.Storage;

namespace Perspective.IntegrationTests;

/// <summary>An OAuth grant as stored: the authorization, its tokens and the record of its revocation.</summary>
public sealed record StoredGrant(string Id, string Status, DateTime? ConnectTime, IReadOnlyList<string> TokenStatuses, GrantRevocation? Revocation);

/// <summary>Reads OAuth grants straight from the host's database, as a support engineer would.</summary>
public static class OAuthGrantStore
{
    /// <summary>Every grant (valid or not) of the app with this client id.</summary>
    public static async Task<List<StoredGrant>> GrantsOfClientAsync(this WebApplicationFactory<Program> host, string clientId)
    {
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDataContext>();
        var authorizations = await db.Set<OpenIddictEntityFrameworkCoreAuthorization>().AsNoTracking()
            .Where(a => a.Application!.ClientId == clientId)
            .Select(a => new { a.Id, a.Status, a.CreationDate })
            .ToListAsync();
        var grants = new List<StoredGrant>();
        foreach (var authorization in authorizations)
        {
            var tokens = await db.Set<OpenIddictEntityFrameworkCoreToken>().AsNoTracking()
                .Where(t => t.Authorization!.Id == authorization.Id).Select(t => t.Status!).ToListAsync();
            var revocation = await db.GrantRevocations.AsNoTracking().SingleOrDefaultAsync(r => r.AuthorizationId == authorization.Id);
            grants.Add(new StoredGrant(authorization.Id!, authorization.Status!, authorization.CreationDate, tokens, revocation));
        }

        return grants;
    }

    /// <summary>The one grant of the app with this client id.</summary>
    public static async Task<StoredGrant> GrantOfClientAsync(this WebApplicationFactory<Program> host, string clientId) =>
        Assert.Single(await host.GrantsOfClientAsync(clientId));
}

/// <summary>A clock the test moves by hand: what the host takes for now (tokens, lifetimes, grants).</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private long ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref ticks), TimeSpan.Zero);

    public void Advance(TimeSpan by) => Interlocked.Add(ref ticks, by.Ticks);
}
