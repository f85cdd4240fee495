using System.Diagnostics.CodeAnalysis;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Configuration;
using Perspective.Activity.Reading;
using Perspective.Activity.Recording;
using Perspective.Activity.Storage;
using Perspective.Identity.Grpc;
using Perspective.Identity.Workspaces;
using Perspective.Keys.V1;
using Perspective.Platform.Grpc;
using Perspective.Platform.Hosting;

namespace Perspective.Keys.Management;

/// <summary>The signed-in user's MCP keys and legacy token over gRPC.</summary>
internal sealed class McpKeyGrpcService(McpKeyManager keys, IConfiguration configuration, ActivityReader activity, WorkspaceDirectory workspaces) : McpKeyService.McpKeyServiceBase
{
    public const string TokenPlaceholder = "<your-token>";

    private const string KeysList = "mcp-keys";

    public override async Task<CreateMcpKeyResponse> CreateMcpKey(CreateMcpKeyRequest request, ServerCallContext context)
    {
        var userId = context.RequireUserId();
        var workspaceIds = request.WorkspaceIds.Select(ParseWorkspaceId).ToList();
        var access = ParseAccess(request.Access);
        var expireTime = ParseExpireTime(request.ExpireTime);
        try
        {
            var created = await keys.CreateAsync(userId, request.Name, workspaceIds, access, expireTime, context.CancellationToken);
            return new CreateMcpKeyResponse { McpKey = MapToMcpKey(created.Key), Token = created.Token };
        }
        catch (KeyRuleViolation violation)
        {
            throw FieldFor(violation.Rule) is { } field
                ? GrpcErrors.FieldRpc(StatusFor(violation.Rule), field, violation.Message)
                : GrpcErrors.Rpc(StatusFor(violation.Rule), violation.Message);
        }
    }

    public override async Task<ListMcpKeysResponse> ListMcpKeys(ListMcpKeysRequest request, ServerCallContext context)
    {
        var page = Paging.Request(request.PageSize, request.PageToken, KeysList, PageTokenFormat.NewestFirst);
        var userId = context.RequireUserId();

        var fetched = await keys.ListAsync(userId, page.After, page.FetchCount, context.CancellationToken);
        var response = new ListMcpKeysResponse { NextPageToken = page.NextPageToken(fetched, k => new NewestFirstCursor(k.CreateTime, k.Id)) };
        response.McpKeys.AddRange(page.Items(fetched).Select(MapToMcpKey));
        return response;
    }

    public override async Task<DeleteMcpKeyResponse> DeleteMcpKey(DeleteMcpKeyRequest request, ServerCallContext context)
    {
        var userId = context.RequireUserId();
        if (!IsKeyId(request.KeyId) || !await keys.DeleteAsync(userId, request.KeyId, context.CancellationToken))
        {
            GrpcErrors.NotFound("You have no MCP key with that id. It may already have been deleted.");
        }

        return new DeleteMcpKeyResponse();
    }

    public override async Task<GetLegacyTokenResponse> GetLegacyToken(GetLegacyTokenRequest request, ServerCallContext context)
    {
        var legacy = await keys.GetLegacyTokenAsync(context.RequireUserId(), context.CancellationToken);
        if (legacy is null)
        {
            NoLegacyToken();
        }

        return new GetLegacyTokenResponse
        {
            LegacyToken = new LegacyToken
            {
                MaskedToken = legacy.MaskedToken,
                CreateTime = Timestamp.FromDateTime(legacy.CreateTime),
                LastUsedTime = ToTimestamp(legacy.LastUse.Time),
                LastUsedClient = legacy.LastUse.Client ?? "",
                LastUsedAddress = legacy.LastUse.Address ?? "",
            },
        };
    }

    public override async Task<RevokeLegacyTokenResponse> RevokeLegacyToken(RevokeLegacyTokenRequest request, ServerCallContext context)
    {
        if (!await keys.RevokeLegacyTokenAsync(context.RequireUserId(), context.CancellationToken))
        {
            NoLegacyToken();
        }

        return new RevokeLegacyTokenResponse();
    }

    public override Task<GetMcpConnectionInfoResponse> GetMcpConnectionInfo(GetMcpConnectionInfoRequest request, ServerCallContext context)
    {
        context.RequireUserId();
        return Task.FromResult(new GetMcpConnectionInfoResponse
        {
            McpEndpointUrl = PlatformUrls.McpEndpointUrl(configuration),
            AuthorizationHeaderName = "Authorization",
            AuthorizationHeaderValueTemplate = $"Bearer {TokenPlaceholder}",
            TokenPlaceholder = TokenPlaceholder,
        });
    }

    public override Task<GetMcpKeyPolicyResponse> GetMcpKeyPolicy(GetMcpKeyPolicyRequest request, ServerCallContext context)
    {
        context.RequireUserId();
        return Task.FromResult(new GetMcpKeyPolicyResponse { MaxLifetime = keys.MaxLifetime is { } max ? Duration.FromTimeSpan(max) : null });
    }

    public override async Task<ListMcpKeyActivityResponse> ListMcpKeyActivity(ListMcpKeyActivityRequest request, ServerCallContext context)
    {
        var userId = context.RequireUserId();
        if (!IsKeyId(request.KeyId))
        {
            GrpcErrors.InvalidArgument("key_id must be the id of one of your keys (32 lowercase hexadecimal digits), as ListMcpKeys returns it.");
        }

        var credential = new ActivityCredential(CredentialKinds.McpKey, request.KeyId);
        var page = Paging.Request(request.PageSize, request.PageToken, ActivityReader.ListName(credential), PageTokenFormat.NewestFirst);
        if (await keys.OwnerAsync(request.KeyId, context.CancellationToken) != userId)
        {
            GrpcErrors.NotFound("You have no MCP key with that id. It may have been deleted.");
        }

        var read = await activity.ReadAsync(credential, page, workspaces.NamesAsync, context.CancellationToken);
        return new ListMcpKeyActivityResponse { ToolCalls = { read.ToolCalls }, DailyReads = { read.DailyReads }, NextPageToken = read.NextPageToken };
    }

    // Unspecified is the manager's to refuse (with the rules' other messages); a number outside the enum is not an access level.
    private static Storage.KeyAccess? ParseAccess(McpKeyAccess access) => access switch
    {
        McpKeyAccess.Unspecified => null,
        McpKeyAccess.ReadOnly => Storage.KeyAccess.ReadOnly,
        McpKeyAccess.ReadWrite => Storage.KeyAccess.ReadWrite,
        _ => throw GrpcErrors.FieldRpc(StatusCode.InvalidArgument, "access",
            $"access {(int)access} is not an access level: use MCP_KEY_ACCESS_READ_ONLY or MCP_KEY_ACCESS_READ_WRITE."),
    };

    // Stored to the second: expiry presets are days, and the same value then reads back on every database.
    private static DateTime? ParseExpireTime(Timestamp? expireTime)
    {
        if (expireTime is null)
        {
            return null;
        }

        if (expireTime.Nanos is < 0 or > 999_999_999 || expireTime.Seconds < Timestamp.FromDateTime(DateTime.UnixEpoch).Seconds ||
            expireTime.Seconds > Timestamp.FromDateTime(new DateTime(9999, 12, 31, 0, 0, 0, DateTimeKind.Utc)).Seconds)
        {
            throw GrpcErrors.FieldRpc(StatusCode.InvalidArgument, "expire_time",
                "expire_time is not a valid time: send seconds since 1970 (UTC) up to the year 9999 and nanos from 0 to 999999999.");
        }

        return DateTime.UnixEpoch.AddSeconds(expireTime.Seconds);
    }

    private static Guid ParseWorkspaceId(string value, int index) =>
        Guid.TryParse(value, out var id)
            ? id
            : throw GrpcErrors.FieldRpc(StatusCode.InvalidArgument, "workspace_ids",
                $"workspace_ids[{index}] is not a workspace id. Use the ids ListMyWorkspaces returns.");

    // Key ids are 32 lowercase hex digits; anything else cannot name a key, so it is simply not found.
    private static bool IsKeyId(string value) =>
        value.Length == 32 && value.All(char.IsAsciiHexDigitLower);


    [DoesNotReturn]
    private static void NoLegacyToken() =>
        GrpcErrors.NotFound("You have no legacy token. Legacy tokens can no longer be created: use MCP keys instead.");

    private static StatusCode StatusFor(KeyRule rule) => rule switch
    {
        KeyRule.InvalidName or KeyRule.NoWorkspaces or KeyRule.NoAccessChosen or KeyRule.InvalidExpiry => StatusCode.InvalidArgument,
        KeyRule.DuplicateName => StatusCode.AlreadyExists,
        KeyRule.NotAMember => StatusCode.PermissionDenied,
        KeyRule.TooManyKeys => StatusCode.ResourceExhausted,
        _ => StatusCode.Internal,
    };

    private static string? FieldFor(KeyRule rule) => rule switch
    {
        KeyRule.InvalidName or KeyRule.DuplicateName => "name",
        KeyRule.NoWorkspaces or KeyRule.NotAMember => "workspace_ids",
        KeyRule.NoAccessChosen => "access",
        KeyRule.InvalidExpiry => "expire_time",
        _ => null,
    };

    private static Timestamp? ToTimestamp(DateTime? value) => value is null ? null : Timestamp.FromDateTime(value.Value);

    private static McpKey MapToMcpKey(McpKeyView key)
    {
        var message = new McpKey
        {
            Id = key.Id,
            Name = key.Name,
            MaskedToken = key.MaskedToken,
            CreateTime = Timestamp.FromDateTime(key.CreateTime),
            LastUsedTime = ToTimestamp(key.LastUse.Time),
            Access = key.Access == Storage.KeyAccess.ReadOnly ? McpKeyAccess.ReadOnly : McpKeyAccess.ReadWrite,
            ExpireTime = ToTimestamp(key.ExpireTime),
            Expired = key.Expired,
            LastUsedClient = key.LastUse.Client ?? "",
            LastUsedAddress = key.LastUse.Address ?? "",
        };
        message.Workspaces.AddRange(key.Workspaces.Select(w => new KeyWorkspace
        {
            Id = w.Id.ToString(),
            Slug = w.Slug,
            Name = w.Name,
            Reachable = w.Reachable,
        }));
        return message;
    }
}
