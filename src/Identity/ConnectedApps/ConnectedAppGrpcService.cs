using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Perspective.Connectedapps.V1;
using Perspective.Identity.Grpc;
using Perspective.Identity.OAuth;
using Perspective.Platform.Grpc;

namespace Perspective.Identity.ConnectedApps;

/// <summary>The signed-in user's connected apps over gRPC.</summary>
internal sealed class ConnectedAppGrpcService(ConnectedAppDirectory apps) : ConnectedAppService.ConnectedAppServiceBase
{
    private const string AppsList = "connected-apps";
    private const string DisconnectedList = "disconnected-apps";
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 100;

    public override async Task<ListConnectedAppsResponse> ListConnectedApps(ListConnectedAppsRequest request, ServerCallContext context)
    {
        var pageSize = Paging.PageSize(request.PageSize, DefaultPageSize, MaxPageSize);
        var position = Paging.DecodeToken(request.PageToken, AppsList, positionLength: 2);
        var userId = context.RequireUserId();
        var after = position is null ? null : new ConnectedAppCursor(Paging.DecodeTime(position[0]), position[1]);

        var page = await apps.ListAsync(userId, after, pageSize + 1, context.CancellationToken);
        var response = new ListConnectedAppsResponse();
        response.ConnectedApps.AddRange(page.Take(pageSize).Select(MapToConnectedApp));
        if (page.Count > pageSize)
        {
            var last = page[pageSize - 1];
            response.NextPageToken = Paging.EncodeToken(AppsList, Paging.EncodeTime(last.ConnectTime), last.Id);
        }

        return response;
    }

    public override async Task<ListDisconnectedAppsResponse> ListDisconnectedApps(ListDisconnectedAppsRequest request, ServerCallContext context)
    {
        var pageSize = Paging.PageSize(request.PageSize, DefaultPageSize, MaxPageSize);
        var position = Paging.DecodeToken(request.PageToken, DisconnectedList, positionLength: 2);
        var userId = context.RequireUserId();
        var after = position is null ? null : new DisconnectedAppCursor(Paging.DecodeTime(position[0]), position[1]);

        var page = await apps.ListDisconnectedAsync(userId, after, pageSize + 1, context.CancellationToken);
        var response = new ListDisconnectedAppsResponse();
        response.DisconnectedApps.AddRange(page.Take(pageSize).Select(MapToDisconnectedApp));
        if (page.Count > pageSize)
        {
            var last = page[pageSize - 1];
            response.NextPageToken = Paging.EncodeToken(DisconnectedList, Paging.EncodeTime(last.DisconnectTime), last.Id);
        }

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
