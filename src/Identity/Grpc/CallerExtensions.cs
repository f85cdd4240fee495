using Grpc.Core;
using Perspective.Identity.Access;
using Perspective.Platform.Grpc;

namespace Perspective.Identity.Grpc;

/// <summary>Who is calling a gRPC method, from the principal the authentication scheme established.</summary>
public static class CallerExtensions
{
    public static string RequireUserId(this ServerCallContext context)
    {
        var userId = context.GetHttpContext().User.UserId();
        if (string.IsNullOrEmpty(userId))
        {
            GrpcErrors.Unauthenticated(IdentityModule.SignInRequired);
        }

        return userId;
    }
}
