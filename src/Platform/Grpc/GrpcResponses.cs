using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace Perspective.Platform.Grpc;

/// <summary>
/// Answers a gRPC or gRPC-Web request that never reached its service (refused by authentication
/// or authorization) with a real gRPC status and message, rather than a bare HTTP status.
/// </summary>
public static class GrpcResponses
{
    public static bool IsGrpcRequest(HttpRequest request) =>
        request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Writes a trailers-only response: HTTP 200 with <c>grpc-status</c> and <c>grpc-message</c> headers.</summary>
    public static Task WriteStatusAsync(HttpContext context, StatusCode statusCode, string message)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ResponseContentType(context.Request.ContentType!);
        response.Headers["grpc-status"] = ((int)statusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["grpc-message"] = Uri.EscapeDataString(message);
        return Task.CompletedTask;
    }

    // gRPC-Web clients expect their own content type back; native gRPC clients expect application/grpc.
    private static string ResponseContentType(string requestContentType) =>
        requestContentType.StartsWith("application/grpc-web-text", StringComparison.OrdinalIgnoreCase) ? "application/grpc-web-text"
        : requestContentType.StartsWith("application/grpc-web", StringComparison.OrdinalIgnoreCase) ? "application/grpc-web"
        : "application/grpc";
}
