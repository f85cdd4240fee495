namespace Perspective.EndToEndTests.Interop;

/// <summary>
/// An admin's view: a generic gRPC command-line client (<c>buf curl</c>, from the npm package the
/// test command installs) against the HTTP/2-only port, with nothing but server reflection.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class GrpcReflectionCliTests(HostProcess host)
{
    private static readonly string Buf = Path.Combine(RepositoryPaths.Root, "node_modules", ".bin", "buf");

    [Fact]
    public async Task Lists_the_platform_services_through_reflection()
    {
        var result = await BufCurlAsync("--list-services", host.GrpcUrl);

        Assert.True(result.ExitCode == 0, result.Error);
        var services = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("perspective.accounts.v1.AccountService", services);
        Assert.Contains("grpc.reflection.v1.ServerReflection", services);
        Assert.Contains("grpc.reflection.v1alpha.ServerReflection", services);
    }

    [Fact]
    public async Task Describes_account_methods_and_refuses_them_without_a_sign_in()
    {
        var methods = await BufCurlAsync("--list-methods", host.GrpcUrl);
        var call = await BufCurlAsync($"{host.GrpcUrl}/perspective.accounts.v1.AccountService/GetCurrentUser");

        Assert.Contains("perspective.accounts.v1.AccountService/ListMyWorkspaces", methods.Output);
        Assert.NotEqual(0, call.ExitCode);
        Assert.Contains("unauthenticated", call.Output + call.Error);
        Assert.Contains("Sign in first", call.Output + call.Error);
    }

    private static Task<CommandLineTool.Result> BufCurlAsync(params string[] arguments)
    {
        Assert.True(File.Exists(Buf), $"{Buf} is missing: run the README test command, which installs the npm packages.");
        return CommandLineTool.RunAsync(Buf, ["curl", "--protocol", "grpc", "--http2-prior-knowledge", .. arguments], TimeSpan.FromSeconds(60));
    }
}
