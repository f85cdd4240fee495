using Grpc.Core;
using Perspective.Keys.V1;

namespace Perspective.IntegrationTests.Keys;

/// <summary>A key's name: trimmed, 1 to 64 printable characters, unique among the user's keys ignoring case.</summary>
public sealed class KeyNameTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    private readonly KeyServiceUsers users = new(factory);

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Line\nbreak")]
    [InlineData("Bell\u0007")]
    public async Task A_missing_or_unprintable_name_is_an_invalid_argument(string name)
    {
        var user = await users.NewAsync($"name-{name.GetHashCode():x}", "grpc");
        var workspace = await user.CreateWorkspaceAsync("Names");

        var error = await user.CreateFailsAsync(name, workspace);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("name", error.Status.Detail);
        Assert.Equal("name", error.Field());
    }

    [Fact]
    public async Task Names_may_have_64_characters_but_not_65()
    {
        var user = await users.NewAsync("length", "grpc");
        var workspace = await user.CreateWorkspaceAsync("Length");

        await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = new string('a', 64), WorkspaceIds = { workspace }, Access = McpKeyAccess.ReadWrite });
        var error = await user.CreateFailsAsync(new string('b', 65), workspace);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task A_name_is_unique_among_the_users_keys_ignoring_case_and_spaces()
    {
        var user = await users.NewAsync("unique", "grpc-web");
        var other = await users.NewAsync("unique-other", "grpc-web");
        var workspace = await user.CreateWorkspaceAsync("Unique");
        var otherWorkspace = await other.CreateWorkspaceAsync("Unique other");
        await user.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Claude Code", WorkspaceIds = { workspace }, Access = McpKeyAccess.ReadWrite });

        var error = await user.CreateFailsAsync("  claude code ", workspace);
        await other.Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = "Claude Code", WorkspaceIds = { otherWorkspace }, Access = McpKeyAccess.ReadWrite });

        Assert.Equal(StatusCode.AlreadyExists, error.StatusCode);
        Assert.Contains("already have a key named", error.Status.Detail);
        Assert.Equal("name", error.Field());
        Assert.Single((await user.Keys.ListMcpKeysAsync(new ListMcpKeysRequest())).McpKeys);
    }
}
