using System.Net;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Mvc.Testing;
using Perspective.Identity.Seeding;
using Perspective.Keys.V1;

namespace Perspective.IntegrationTests.Keys;

/// <summary>Users of the key service, each signed in through the login form and calling it over native gRPC or gRPC-Web.</summary>
public sealed class KeyServiceUsers(PlatformFactory factory)
{
    public const string Password = "Keys-password-1";

    public static TheoryData<string> Transports => ["grpc", "grpc-web"];

    /// <summary>A new user <paramref name="name"/>@perspective.local, signed in, calling <paramref name="host"/> (default: the factory).</summary>
    public async Task<SignedInUser> NewAsync(string name, string transport, WebApplicationFactory<Program>? host = null)
    {
        var email = $"{name}@perspective.local";
        var id = await factory.CreateUserAsync(email, Password);
        var channel = ChannelFor(host ?? factory, transport, await factory.SignInAsync(email, Password));
        return new SignedInUser(id, channel, factory);
    }

    /// <summary>The seeded demo user, signed in.</summary>
    public async Task<SignedInUser> DemoAsync(string transport)
    {
        var cookies = await factory.SignInAsync(DemoSeed.DemoEmail, DemoSeed.DemoPassword);
        return new SignedInUser("", Channel(transport, cookies), factory);
    }

    public GrpcChannel Channel(string transport, CookieContainer? cookies) => ChannelFor(factory, transport, cookies);

    private static GrpcChannel ChannelFor(WebApplicationFactory<Program> host, string transport, CookieContainer? cookies) =>
        transport == "grpc-web" ? host.CreateGrpcWebChannel(cookies) : host.CreateGrpcChannel(cookies);
}

/// <summary>A signed-in user of the key service; <see cref="Id"/> is empty for the demo user.</summary>
public sealed record SignedInUser(string Id, GrpcChannel Channel, PlatformFactory Factory)
{
    public McpKeyService.McpKeyServiceClient Keys { get; } = new(Channel);

    public Task<string> CreateWorkspaceAsync(string name) => Factory.WithWorkspacesAsync(async workspaces =>
        (await workspaces.CreateWorkspaceAsync(name.ToLowerInvariant().Replace(' ', '-') + "-" + Guid.NewGuid().ToString("N")[..6], name, Id)).Id.ToString());

    /// <summary>Asks for a key that must be refused; returns the refusal.</summary>
    public async Task<RpcException> CreateFailsAsync(string name, params string[] workspaceIds) =>
        await Assert.ThrowsAsync<RpcException>(() =>
            Keys.CreateMcpKeyAsync(new CreateMcpKeyRequest { Name = name, WorkspaceIds = { workspaceIds }, Access = McpKeyAccess.ReadWrite }).ResponseAsync);
}

public static class KeyServiceRefusals
{
    /// <summary>The request field a refusal is about, from its google.rpc.BadRequest details.</summary>
    public static string? Field(this RpcException error) =>
        error.GetRpcStatus()?.GetDetail<Google.Rpc.BadRequest>()?.FieldViolations.SingleOrDefault()?.Field;
}
