using Grpc.Core;
using Grpc.Net.Client;
using Perspective.Accounts.V1;
using Perspective.Identity.Seeding;

namespace Perspective.IntegrationTests.Accounts;

public sealed class AccountServiceTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    public static TheoryData<string> Transports => ["grpc", "grpc-web"];

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task The_signed_in_user_gets_their_profile(string transport)
    {
        var client = await SignedInClientAsync(transport, DemoSeed.DemoEmail, DemoSeed.DemoPassword);

        var user = (await client.GetCurrentUserAsync(new GetCurrentUserRequest())).User;

        Assert.Equal(DemoSeed.DemoEmail, user.Email);
        Assert.Equal("Demo User", user.DisplayName);
        Assert.NotEmpty(user.Id);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task The_demo_user_sees_their_two_workspaces_with_their_roles_and_not_the_third(string transport)
    {
        var client = await SignedInClientAsync(transport, DemoSeed.DemoEmail, DemoSeed.DemoPassword);

        var response = await client.ListMyWorkspacesAsync(new ListMyWorkspacesRequest());

        Assert.Equal(
            [("acme-research", "Acme Research", WorkspaceRole.Owner), ("northwind-product", "Northwind Product", WorkspaceRole.Member)],
            response.Workspaces.Select(w => (w.Slug, w.Name, w.Role)));
        Assert.All(response.Workspaces, w => Assert.True(Guid.TryParse(w.Id, out _)));
        Assert.Empty(response.NextPageToken);
    }

    [Theory]
    [MemberData(nameof(Transports))]
    public async Task Without_a_sign_in_cookie_every_call_is_unauthenticated(string transport)
    {
        var client = new AccountService.AccountServiceClient(Channel(transport, cookies: null));

        var profile = await Assert.ThrowsAsync<RpcException>(() => client.GetCurrentUserAsync(new GetCurrentUserRequest()).ResponseAsync);
        var workspaces = await Assert.ThrowsAsync<RpcException>(() => client.ListMyWorkspacesAsync(new ListMyWorkspacesRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, profile.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, workspaces.StatusCode);
        Assert.Contains("Sign in first", profile.Status.Detail);
    }

    [Fact]
    public async Task Pages_follow_one_another_until_the_last()
    {
        var (email, password) = await CreateUserWithWorkspacesAsync("pager", count: 5);
        var client = await SignedInClientAsync("grpc", email, password);

        var slugs = new List<string>();
        var request = new ListMyWorkspacesRequest { PageSize = 2 };
        for (var page = 0; page < 10; page++)
        {
            var response = await client.ListMyWorkspacesAsync(request);
            Assert.True(response.Workspaces.Count <= 2);
            slugs.AddRange(response.Workspaces.Select(w => w.Slug));
            if (response.NextPageToken == "")
            {
                break;
            }

            request.PageToken = response.NextPageToken;
        }

        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"pager-{i:D3}"), slugs);
    }

    [Fact]
    public async Task A_page_is_never_larger_than_the_maximum_of_100()
    {
        var (email, password) = await CreateUserWithWorkspacesAsync("bulk", count: 101);
        var client = await SignedInClientAsync("grpc", email, password);

        var first = await client.ListMyWorkspacesAsync(new ListMyWorkspacesRequest { PageSize = 1000 });
        var rest = await client.ListMyWorkspacesAsync(new ListMyWorkspacesRequest { PageSize = 1000, PageToken = first.NextPageToken });

        Assert.Equal(100, first.Workspaces.Count);
        Assert.Equal(["bulk-100"], rest.Workspaces.Select(w => w.Slug));
        Assert.Empty(rest.NextPageToken);
    }

    [Fact]
    public async Task A_negative_page_size_is_an_invalid_argument()
    {
        var client = await SignedInClientAsync("grpc", DemoSeed.DemoEmail, DemoSeed.DemoPassword);

        var error = await Assert.ThrowsAsync<RpcException>(() => client.ListMyWorkspacesAsync(new ListMyWorkspacesRequest { PageSize = -5 }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("page_size", error.Status.Detail);
    }

    [Fact]
    public async Task A_page_token_the_service_did_not_issue_is_an_invalid_argument()
    {
        var client = await SignedInClientAsync("grpc-web", DemoSeed.DemoEmail, DemoSeed.DemoPassword);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.ListMyWorkspacesAsync(new ListMyWorkspacesRequest { PageToken = "garbage!" }).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("page_token", error.Status.Detail);
    }

    private async Task<AccountService.AccountServiceClient> SignedInClientAsync(string transport, string email, string password)
    {
        var cookies = await factory.SignInAsync(email, password);
        return new AccountService.AccountServiceClient(Channel(transport, cookies));
    }

    private GrpcChannel Channel(string transport, System.Net.CookieContainer? cookies) =>
        transport == "grpc-web" ? factory.CreateGrpcWebChannel(cookies) : factory.CreateGrpcChannel(cookies);

    private async Task<(string Email, string Password)> CreateUserWithWorkspacesAsync(string prefix, int count)
    {
        var email = $"{prefix}@perspective.local";
        const string password = "Pager-password-1";
        var userId = await factory.CreateUserAsync(email, password);
        await factory.WithWorkspacesAsync(async workspaces =>
        {
            for (var i = 0; i < count; i++)
            {
                await workspaces.CreateWorkspaceAsync($"{prefix}-{i:D3}", $"{prefix} {i:D3}", userId);
            }

            return count;
        });

        return (email, password);
    }
}
