using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perspective.Identity.Seeding;
using Perspective.Keys.Storage;
using Perspective.Keys.V1;

namespace Perspective.IntegrationTests.HostileInput;

/// <summary>Key names are read by people in Settings: every invisible or line-breaking character is refused.</summary>
public sealed class NameHostileInputTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    public static TheoryData<string> HostileNames => new()
    {
        "Claude\u202Eedoc", // right-to-left override: reads as "Claudecode"
        "Claude\u200BDesktop", // zero-width space
        "Claude\u2028Desktop", // line separator
        "Claude\u2029Desktop", // paragraph separator
        "Claude\u2066Desktop\u2069", // isolate
        "\uFEFFClaude", // zero-width no-break space (byte order mark)
        "Claude\nDesktop",
        new string('k', 65),
    };

    [Theory]
    [MemberData(nameof(HostileNames))]
    public async Task A_hostile_key_name_is_an_invalid_argument_about_the_name_on_both_grpc_paths(string name)
    {
        var cookies = await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
        var workspaces = await new Perspective.Accounts.V1.AccountService.AccountServiceClient(factory.CreateGrpcChannel(cookies))
            .ListMyWorkspacesAsync(new Perspective.Accounts.V1.ListMyWorkspacesRequest());
        var request = new CreateMcpKeyRequest { Name = name, WorkspaceIds = { workspaces.Workspaces[0].Id }, Access = McpKeyAccess.ReadWrite };
        var keysBefore = await KeyCountAsync();

        foreach (var channel in new[] { factory.CreateGrpcChannel(cookies), factory.CreateGrpcWebChannel(cookies) })
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => new McpKeyService.McpKeyServiceClient(channel).CreateMcpKeyAsync(request).ResponseAsync);

            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            Assert.StartsWith("The key name must", error.Status.Detail, StringComparison.Ordinal);
            Assert.Equal("name", error.GetRpcStatus()?.GetDetail<Google.Rpc.BadRequest>()?.FieldViolations.Single().Field);
        }

        Assert.Equal(keysBefore, await KeyCountAsync());
    }

    [Theory]
    [InlineData("Café — Recherche")]
    [InlineData("日本語 キー")]
    [InlineData("Claude 🚀")]
    public async Task Names_in_any_script_are_kept(string name)
    {
        var (token, _) = await factory.CreateDemoKeyAsync(name, "acme-research");

        Assert.StartsWith("pmk_", token, StringComparison.Ordinal);
        await using var scope = factory.Services.CreateAsyncScope();
        Assert.True(await scope.ServiceProvider.GetRequiredService<KeysDataContext>().McpKeys.AnyAsync(k => k.Name == name));
    }

    private async Task<int> KeyCountAsync()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<KeysDataContext>().McpKeys.CountAsync();
    }
}
