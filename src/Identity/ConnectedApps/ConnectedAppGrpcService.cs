using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Perspective.Connectedapps.V1;
using Perspective.Activity.Reading;
using Perspective.Activity.Recording;
using Perspective.Activity.Storage;
using Perspective.Identity.Grpc;
using Perspective.Identity.Workspaces;
using Perspective.Identity.OAuth;
using Perspective.Platform.Grpc;

namespace Perspective.Identity.ConnectedApps;

/// <summary>The signed-in user's connected apps over gRPC.</summary>
internal sealed class ConnectedAppGrpcService(ConnectedAppDirectory apps, ActivityReader activity, WorkspaceDirectory workspaces) : ConnectedAppService.ConnectedAppServiceBase
{
    private const string AppsList = "connected-apps";
    private const string DisconnectedList = "disconnected-apps";

    public override async Task<ListConnectedAppsResponse> ListConnectedApps(ListConnectedAppsRequest request, ServerCallContext context)
    {
        var page = Paging.Request(request.PageSize, request.PageToken, AppsList, PageTokenFormat.NewestFirst);
        var userId = context.RequireUserId();

        var fetched = await apps.ListAsync(userId, page.After, page.FetchCount, context.CancellationToken);
        var response = new ListConnectedAppsResponse { NextPageToken = page.NextPageToken(fetched, a => new NewestFirstCursor(a.ConnectTime, a.Id)) };
        response.ConnectedApps.AddRange(page.Items(fetched).Select(MapToConnectedApp));
        return response;
    }

    public override async Task<ListDisconnectedAppsResponse> ListDisconnectedApps(ListDisconnectedAppsRequest request, ServerCallContext context)
    {
        var page = Paging.Request(request.PageSize, request.PageToken, DisconnectedList, PageTokenFormat.NewestFirst);
        var userId = context.RequireUserId();

        var fetched = await apps.ListDisconnectedAsync(userId, page.After, page.FetchCount, context.CancellationToken);
        var response = new ListDisconnectedAppsResponse { NextPageToken = page.NextPageToken(fetched, a => new NewestFirstCursor(a.DisconnectTime, a.Id)) };
        response.DisconnectedApps.AddRange(page.Items(fetched).Select(MapToDisconnectedApp));
        return response;
    }

    public override async Task<DisconnectConnectedAppResponse> DisconnectConnectedApp(DisconnectConnectedAppRequest request, ServerCallContext context)
    {
        var userId = context.RequireUserId();
        if (string.IsNullOrWhiteSpace(request.ConnectedAppId) || request.ConnectedAppId.Length > 100 ||
            !await apps.DisconnectAsync(userId, request.ConnectedAppId, GrantRevocationReasons.User, context.CancellationToken))
        {
            GrpcErrors.NotFound("You have no connected app with that id. It may already have been disconnected.");
        }

        return new DisconnectConnectedAppResponse();
    }

    public override async Task<ListConnectedAppActivityResponse> ListConnectedAppActivity(ListConnectedAppActivityRequest request, ServerCallContext context)
    {
        var userId = context.RequireUserId();
        if (!ConnectedAppDirectory.IsConnectedAppId(request.ConnectedAppId))
        {
            GrpcErrors.InvalidArgument("connected_app_id must be the id of one of your connected apps, as ListConnectedApps returns it.");
        }

        var credential = new ActivityCredential(CredentialKinds.OAuth, request.ConnectedAppId);
        var page = Paging.Request(request.PageSize, request.PageToken, ActivityReader.ListName(credential), PageTokenFormat.NewestFirst);
        if (!await apps.IsConnectedAsync(userId, request.ConnectedAppId, context.CancellationToken))
        {
            GrpcErrors.NotFound("You have no connected app with that id. It may have been disconnected.");
        }

        var read = await activity.ReadAsync(credential, page, workspaces.NamesAsync, context.CancellationToken);
        return new ListConnectedAppActivityResponse { ToolCalls = { read.ToolCalls }, DailyReads = { read.DailyReads }, NextPageToken = read.NextPageToken };
    }

    private static ConnectedApp MapToConnectedApp(ConnectedAppView app)
    {
        var message = new ConnectedApp
        {
            Id = app.Id,
            Name = app.Name,
            ClientKind = app.IsMetadataDocumentClient ? ClientKind.MetadataDocument : ClientKind.Registered,
            ClientId = app.ClientId,
            RedirectHost = app.RedirectHost,
            ConnectTime = Timestamp.FromDateTime(app.ConnectTime),
            LastUsedTime = app.LastUsedTime is { } used ? Timestamp.FromDateTime(used) : null,
            LapseTime = Timestamp.FromDateTime(app.LapseTime),
            VerifiedOrigin = app.VerifiedOrigin,
        };
        message.Scopes.AddRange(app.Scopes);
        message.Workspaces.AddRange(app.Workspaces.Select(w => new AppWorkspace { Id = w.Id.ToString(), Slug = w.Slug, Name = w.Name, Reachable = w.Reachable }));
        return message;
    }

    private static DisconnectedApp MapToDisconnectedApp(DisconnectedAppView app) => new()
    {
        Name = app.Name,
        ClientKind = app.IsMetadataDocumentClient ? ClientKind.MetadataDocument : ClientKind.Registered,
        ClientId = app.ClientId,
        RedirectHost = app.RedirectHost,
        ConnectTime = Timestamp.FromDateTime(app.ConnectTime),
        DisconnectTime = Timestamp.FromDateTime(app.DisconnectTime),
        Reason = app.Reason switch
        {
            GrantRevocationReasons.User => DisconnectReason.User,
            GrantRevocationReasons.Admin => DisconnectReason.Admin,
            GrantRevocationReasons.RefreshTokenReuse => DisconnectReason.RefreshTokenReuse,
            GrantRevocationReasons.Lapsed => DisconnectReason.Lapsed,
            _ => DisconnectReason.Unspecified,
        },
        VerifiedOrigin = app.VerifiedOrigin,
    };
}
