using Grpc.Core;
using Perspective.Accounts.V1;
using Perspective.Connectedapps.V1;
using Perspective.Keys.V1;

namespace Perspective.WebUi.Tests;

/// <summary>Answers for the generated gRPC clients, whose methods are virtual for exactly this.</summary>
internal static class Calls
{
    public static AsyncUnaryCall<T> Of<T>(T response) =>
        new(Task.FromResult(response), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });

    public static AsyncUnaryCall<T> Failing<T>(RpcException error) =>
        new(Task.FromException<T>(error), Task.FromResult(new Metadata()), () => error.Status, () => [], () => { });

    /// <summary>A refusal about one request field, as the services send it (google.rpc.BadRequest in the status details).</summary>
    public static RpcException FieldError(StatusCode code, string field, string message) => new Google.Rpc.Status
    {
        Code = (int)code,
        Message = message,
        Details = { Google.Protobuf.WellKnownTypes.Any.Pack(new Google.Rpc.BadRequest { FieldViolations = { new Google.Rpc.BadRequest.Types.FieldViolation { Field = field, Description = message } } }) },
    }.ToRpcException();
}

internal sealed class FakeAccounts : AccountService.AccountServiceClient
{
    public List<Workspace> Workspaces { get; } =
    [
        new() { Id = "11111111-1111-1111-1111-111111111111", Slug = "acme-research", Name = "Acme Research", Role = WorkspaceRole.Owner },
        new() { Id = "22222222-2222-2222-2222-222222222222", Slug = "northwind-product", Name = "Northwind Product", Role = WorkspaceRole.Member },
    ];

    public override AsyncUnaryCall<GetCurrentUserResponse> GetCurrentUserAsync(GetCurrentUserRequest request, CallOptions options) =>
        Calls.Of(new GetCurrentUserResponse { User = new User { Id = "u1", Email = "demo@perspective.local", DisplayName = "Demo User" } });

    public override AsyncUnaryCall<ListMyWorkspacesResponse> ListMyWorkspacesAsync(ListMyWorkspacesRequest request, CallOptions options) =>
        Calls.Of(new ListMyWorkspacesResponse { Workspaces = { Workspaces } });
}

internal sealed class FakeKeys : McpKeyService.McpKeyServiceClient
{
    public const string Endpoint = "https://perspective.example/mcp";

    public List<McpKey> Keys { get; } = [];

    public LegacyToken? Legacy { get; set; }

    public Func<CreateMcpKeyRequest, AsyncUnaryCall<CreateMcpKeyResponse>>? OnCreate { get; set; }

    public List<CreateMcpKeyRequest> Created { get; } = [];

    public GetMcpKeyPolicyResponse Policy { get; set; } = new();

    public override AsyncUnaryCall<GetMcpKeyPolicyResponse> GetMcpKeyPolicyAsync(GetMcpKeyPolicyRequest request, CallOptions options) => Calls.Of(Policy);

    public override AsyncUnaryCall<GetMcpConnectionInfoResponse> GetMcpConnectionInfoAsync(GetMcpConnectionInfoRequest request, CallOptions options) =>
        Calls.Of(new GetMcpConnectionInfoResponse
        {
            McpEndpointUrl = Endpoint,
            AuthorizationHeaderName = "Authorization",
            AuthorizationHeaderValueTemplate = "Bearer <your-token>",
            TokenPlaceholder = "<your-token>",
        });

    public override AsyncUnaryCall<GetLegacyTokenResponse> GetLegacyTokenAsync(GetLegacyTokenRequest request, CallOptions options) =>
        Legacy is null
            ? Calls.Failing<GetLegacyTokenResponse>(new RpcException(new Status(StatusCode.NotFound, "You have no legacy token.")))
            : Calls.Of(new GetLegacyTokenResponse { LegacyToken = Legacy });

    public override AsyncUnaryCall<CreateMcpKeyResponse> CreateMcpKeyAsync(CreateMcpKeyRequest request, CallOptions options)
    {
        Created.Add(request);
        return OnCreate?.Invoke(request) ?? Calls.Of(new CreateMcpKeyResponse
        {
            Token = "pmk_abcdefghijklmnopqrstuvwxyzABCDEF012345",
            McpKey = new McpKey
            {
                Id = $"created-{Created.Count}", Name = request.Name, MaskedToken = "pmk_…2345", CreateTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow),
                Access = request.Access, ExpireTime = request.ExpireTime,
            },
        });
    }

    /// <summary>Set to make the list, delete or revoke calls fail the way the service would.</summary>
    public RpcException? Failure { get; set; }

    public override AsyncUnaryCall<ListMcpKeysResponse> ListMcpKeysAsync(ListMcpKeysRequest request, CallOptions options) =>
        Failure is null ? Calls.Of(new ListMcpKeysResponse { McpKeys = { Keys } }) : Calls.Failing<ListMcpKeysResponse>(Failure);

    public override AsyncUnaryCall<DeleteMcpKeyResponse> DeleteMcpKeyAsync(DeleteMcpKeyRequest request, CallOptions options)
    {
        if (Failure is not null)
        {
            return Calls.Failing<DeleteMcpKeyResponse>(Failure);
        }

        Keys.RemoveAll(k => k.Id == request.KeyId);
        return Calls.Of(new DeleteMcpKeyResponse());
    }

    public override AsyncUnaryCall<RevokeLegacyTokenResponse> RevokeLegacyTokenAsync(RevokeLegacyTokenRequest request, CallOptions options)
    {
        Legacy = null;
        return Calls.Of(new RevokeLegacyTokenResponse());
    }

    /// <summary>Each key's activity by key id; a key without an entry has none.</summary>
    public Dictionary<string, Func<ListMcpKeyActivityRequest, AsyncUnaryCall<ListMcpKeyActivityResponse>>> Activity { get; } = [];

    public override AsyncUnaryCall<ListMcpKeyActivityResponse> ListMcpKeyActivityAsync(ListMcpKeyActivityRequest request, CallOptions options) =>
        Activity.TryGetValue(request.KeyId, out var answer) ? answer(request) : Calls.Of(new ListMcpKeyActivityResponse());
}

internal sealed class FakeConnectedApps : ConnectedAppService.ConnectedAppServiceClient
{
    public List<ConnectedApp> Apps { get; } = [];

    public override AsyncUnaryCall<ListConnectedAppsResponse> ListConnectedAppsAsync(ListConnectedAppsRequest request, CallOptions options) =>
        Calls.Of(new ListConnectedAppsResponse { ConnectedApps = { Apps } });

    public List<DisconnectedApp> Disconnected { get; } = [];

    public override AsyncUnaryCall<DisconnectConnectedAppResponse> DisconnectConnectedAppAsync(DisconnectConnectedAppRequest request, CallOptions options)
    {
        Apps.RemoveAll(a => a.Id == request.ConnectedAppId);
        return Calls.Of(new DisconnectConnectedAppResponse());
    }

    public override AsyncUnaryCall<ListDisconnectedAppsResponse> ListDisconnectedAppsAsync(ListDisconnectedAppsRequest request, CallOptions options) =>
        Calls.Of(new ListDisconnectedAppsResponse { DisconnectedApps = { Disconnected } });

    /// <summary>Each app's activity by app id; an app without an entry has none.</summary>
    public Dictionary<string, ListConnectedAppActivityResponse> Activity { get; } = [];

    public override AsyncUnaryCall<ListConnectedAppActivityResponse> ListConnectedAppActivityAsync(ListConnectedAppActivityRequest request, CallOptions options) =>
        Calls.Of(Activity.GetValueOrDefault(request.ConnectedAppId) ?? new ListConnectedAppActivityResponse());
}
