using System.Diagnostics.CodeAnalysis;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Status = Grpc.Core.Status;

namespace Perspective.Platform.Grpc;

/// <summary>Throws the precise gRPC status a caller can act on; messages are for people, never stack traces.</summary>
public static class GrpcErrors
{
    [DoesNotReturn]
    public static void InvalidArgument(string message) => throw Rpc(StatusCode.InvalidArgument, message);

    [DoesNotReturn]
    public static void Unauthenticated(string message) => throw Rpc(StatusCode.Unauthenticated, message);

    [DoesNotReturn]
    public static void NotFound(string message) => throw Rpc(StatusCode.NotFound, message);

    [DoesNotReturn]
    public static void AlreadyExists(string message) => throw Rpc(StatusCode.AlreadyExists, message);

    public static RpcException Rpc(StatusCode code, string message) => new(new Status(code, message));

    /// <summary>
    /// An error about one request field, with a <c>google.rpc.BadRequest</c> field violation in the
    /// status details so a form can show the message next to that field.
    /// </summary>
    public static RpcException FieldRpc(StatusCode code, string field, string message) => new Google.Rpc.Status
    {
        Code = (int)code,
        Message = message,
        Details = { Any.Pack(new BadRequest { FieldViolations = { new BadRequest.Types.FieldViolation { Field = field, Description = message } } }) },
    }.ToRpcException();
}
