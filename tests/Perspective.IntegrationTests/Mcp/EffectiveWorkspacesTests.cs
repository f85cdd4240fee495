using Microsoft.Extensions.DependencyInjection;
using Perspective.Identity.Workspaces;
using Perspective.Keys.Storage;
using Perspective.Keys.Tokens;
using Perspective.Keys.V1;
using Perspective.McpHost.Mcp;

namespace Perspective.IntegrationTests.Mcp;

/// <summary>
/// The one access rule, once per credential kind: an MCP request reaches the credential's scope
/// (every workspace, for the legacy token) intersected with the user's memberships as they are at
/// that request. A membership removed between two requests is gone on the second; a workspace
/// outside the scope is never reached, whatever the user's memberships.
/// </summary>
public sealed class EffectiveWorkspacesTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    private const string Password = "Effective-password-1";

    [Theory]
    [InlineData(McpCredentialKind.McpKey)]
    [InlineData(McpCredentialKind.LegacyToken)]
    [InlineData(McpCredentialKind.OAuth)]
    public async Task A_request_reaches_the_scope_intersected_with_the_memberships_of_that_moment(McpCredentialKind kind)
    {
        var name = $"effective-{kind}-{Guid.NewGuid():N}"[..28].ToLowerInvariant();
        var email = $"{name}@perspective.local";
        var userId = await factory.CreateUserAsync(email, Password);
        var ownerId = await factory.CreateUserAsync($"owner-{name}@perspective.local", Password);
        var (own, shared, outside) = await factory.WithWorkspacesAsync(async w =>
        {
            var ownWorkspace = await w.CreateWorkspaceAsync($"{name}-own"[..Math.Min(30, name.Length + 4)], "Own", userId);
            var sharedWorkspace = await w.CreateWorkspaceAsync($"s-{Guid.NewGuid():N}"[..20], "Shared", ownerId);
            var outsideWorkspace = await w.CreateWorkspaceAsync($"o-{Guid.NewGuid():N}"[..20], "Outside the scope", ownerId);
            await w.AddMemberAsync(sharedWorkspace.Id, userId, MembershipRole.Member);
            await w.AddMemberAsync(outsideWorkspace.Id, userId, MembershipRole.Member);
            return (ownWorkspace.Id.ToString(), sharedWorkspace.Id.ToString(), outsideWorkspace.Id.ToString());
        });
        var cookies = await factory.SignInAsync(email, Password);
        var credential = kind switch
        {
            McpCredentialKind.McpKey => (await new McpKeyService.McpKeyServiceClient(factory.CreateGrpcChannel(cookies))
                .CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Own and shared", WorkspaceIds = { own, shared }, Access = McpKeyAccess.ReadWrite })).Token,
            McpCredentialKind.LegacyToken => await GiveLegacyTokenAsync(userId),
            _ => (await new OAuthTestClient(factory, cookies).ConnectAsync([own, shared])).AccessToken,
        };
        // The legacy token's scope is every workspace of its user.
        var scope = kind == McpCredentialKind.LegacyToken ? new[] { own, shared, outside } : [own, shared];
        await using var client = await McpTestClient.ConnectAsync(factory, credential);

        Assert.Equal(scope.Order(), await WorkspaceIdsAsync(client));

        await factory.WithWorkspacesAsync(async w =>
        {
            await w.RemoveMemberAsync(Guid.Parse(shared), userId);
            return 0;
        });

        Assert.Equal(scope.Where(id => id != shared).Order(), await WorkspaceIdsAsync(client));
        Assert.EndsWith(McpCaller.NotAvailable, await client.CallFailingAsync("perspective_list", new { workspace_id = shared }), StringComparison.Ordinal);
        if (kind != McpCredentialKind.LegacyToken)
        {
            Assert.EndsWith(McpCaller.NotAvailable, await client.CallFailingAsync("perspective_list", new { workspace_id = outside }), StringComparison.Ordinal);
        }
    }

    private static async Task<IEnumerable<string?>> WorkspaceIdsAsync(ModelContextProtocol.Client.McpClient client) =>
        (await client.CallAsync("workspace_list")).GetProperty("workspaces").EnumerateArray().Select(w => w.GetProperty("id").GetString()).Order().ToList();

    private async Task<string> GiveLegacyTokenAsync(string userId)
    {
        var token = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KeysDataContext>();
        db.LegacyTokens.Add(new Perspective.Keys.Storage.LegacyToken { UserId = userId, TokenHash = TokenHashing.Hash(token), TokenHint = token[^4..], CreateTime = DateTime.UtcNow });
        await db.SaveChangesAsync();
        return token;
    }
}
