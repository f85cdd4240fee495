using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace Perspective.WebUi.Components.Shared;

/// <summary>How times and service errors read in the UI.</summary>
internal static class Display
{
    /// <summary>A time in the browser's time zone, to the minute (the precision of last-used times); "Never" when unset.</summary>
    public static string Time(Timestamp? timestamp) =>
        timestamp is null ? "Never" : timestamp.ToDateTime().ToLocalTime().ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>What an ended sign-in (UNAUTHENTICATED) reads as; <see cref="ServiceError"/> adds the link to sign in.</summary>
    public const string SessionEnded = "Your session has ended.";

    /// <summary>The service's own message, written for people; a generic sentence when there is none or the sign-in ended.</summary>
    public static string Message(RpcException error) =>
        error.StatusCode == StatusCode.Unauthenticated ? $"{SessionEnded} Sign in again."
        : string.IsNullOrWhiteSpace(error.Status.Detail)
            ? "The service could not be reached. Check your connection and try again."
            : error.Status.Detail;

    /// <summary>The request field a refusal is about (google.rpc.BadRequest), or null for a form-level error.</summary>
    public static string? Field(RpcException error) =>
        error.GetRpcStatus()?.GetDetail<BadRequest>()?.FieldViolations.FirstOrDefault()?.Field;
}
