using Grpc.Core;
using Perspective.Platform.Grpc;

namespace Perspective.Identity.Tests;

public sealed class PagingTests
{
    [Theory]
    [InlineData(0, 50)]
    [InlineData(1, 1)]
    [InlineData(100, 100)]
    [InlineData(101, 100)]
    [InlineData(int.MaxValue, 100)]
    public void Page_size_defaults_when_zero_and_is_clamped_to_the_maximum(int requested, int expected) =>
        Assert.Equal(expected, Paging.PageSize(requested, defaultSize: 50, maxSize: 100));

    [Fact]
    public void A_negative_page_size_is_an_invalid_argument()
    {
        var error = Assert.Throws<RpcException>(() => Paging.PageSize(-1, 50, 100));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("page_size", error.Status.Detail);
    }

    [Fact]
    public void A_token_gives_back_the_position_it_was_made_from()
    {
        var token = Paging.EncodeToken("workspaces", "Acme \"Research\"", "acme-research");

        Assert.Equal(["Acme \"Research\"", "acme-research"], Paging.DecodeToken(token, "workspaces", 2)!);
    }

    [Fact]
    public void An_empty_token_means_the_first_page() =>
        Assert.Null(Paging.DecodeToken("", "workspaces", 2));

    [Theory]
    [InlineData("not a token")]
    [InlineData("e30")]
    [InlineData("WyJ3b3Jrc3BhY2VzIl0")]
    public void A_token_the_service_did_not_issue_is_an_invalid_argument(string token)
    {
        var error = Assert.Throws<RpcException>(() => Paging.DecodeToken(token, "workspaces", 2));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("page_token", error.Status.Detail);
    }

    [Fact]
    public void A_token_from_another_list_is_refused()
    {
        var token = Paging.EncodeToken("keys", "a", "b");

        Assert.Equal(StatusCode.InvalidArgument, Assert.Throws<RpcException>(() => Paging.DecodeToken(token, "workspaces", 2)).StatusCode);
    }
}
