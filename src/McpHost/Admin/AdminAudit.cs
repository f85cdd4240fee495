using System.Text.RegularExpressions;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Perspective.Identity.Access;

namespace Perspective.McpHost.Admin;

/// <summary>
/// Every call to the admin service is written to the audit log with its outcome: calls that ran
/// (whether they succeeded or failed), <c>ListAuditEvents</c> itself, and calls refused before they
/// ran (no or wrong credentials), whose actor is the caller if known, else "unauthenticated".
/// </summary>
public static partial class AdminAudit
{
    public const string Unauthenticated = "unauthenticated";

    private const string TargetKey = "perspective.audit.target";

    /// <summary>What the call acts on, as the audit log shows it; set first so that a failing call has it too.</summary>
    public static void Target(ServerCallContext context, string target) => context.UserState[TargetKey] = target;

    /// <summary>The canonical gRPC name of a status, as in the gRPC spec: NOT_FOUND, PERMISSION_DENIED, OK.</summary>
    public static string Outcome(StatusCode status) => status == StatusCode.OK ? "OK" : WordBoundary().Replace(status.ToString(), "_$1").ToUpperInvariant();

    internal static string Action(string method) => method[(method.LastIndexOf('/') + 1)..];

    internal static string Actor(System.Security.Claims.ClaimsPrincipal user) => user.UserId() ?? Unauthenticated;

    internal static string TargetOf(ServerCallContext context) =>
        context.UserState.TryGetValue(TargetKey, out var target) ? (string)target : "";

    [GeneratedRegex("(?<!^)([A-Z])")]
    private static partial Regex WordBoundary();
}

/// <summary>Records each admin call that reached the service, with the status it ended with.</summary>
internal sealed class AdminAuditInterceptor(AuditLog audit) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            var response = await continuation(request, context);
            await RecordAsync(context, StatusCode.OK);
            return response;
        }
        // While the database is unreachable (UNAVAILABLE) there is nowhere to record the call.
        catch (RpcException refused) when (refused.StatusCode != StatusCode.Unavailable)
        {
            await RecordAsync(context, refused.StatusCode);
            throw;
        }
    }

    private Task RecordAsync(ServerCallContext context, StatusCode outcome) => audit.RecordAsync(
        AdminAudit.Actor(context.GetHttpContext().User), AdminAudit.Action(context.Method), AdminAudit.TargetOf(context),
        AdminAudit.Outcome(outcome), context.CancellationToken);
}

/// <summary>
/// Records admin calls that authorization refused before they reached the service, then answers
/// them as usual. A flood of refused calls must not become a flood of writes: at most
/// <see cref="RefusalsPerMinute"/> are recorded one by one per minute and host; the next recorded
/// refusal says how many were left out meanwhile.
/// </summary>
internal sealed class AdminRefusalAudit(TimeProvider clock) : IAuthorizationMiddlewareResultHandler
{
    public const int RefusalsPerMinute = 60;

    private readonly AuthorizationMiddlewareResultHandler answer = new();
    private readonly Lock gate = new();
    private long windowStart;
    private int recordedInWindow;
    private int leftOut;

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Succeeded && context.GetEndpoint()?.Metadata.GetMetadata<GrpcMethodMetadata>() is { } grpc &&
            grpc.ServiceType == typeof(AdminGrpcService) && TryTakeSlot(out var skipped))
        {
            var outcome = authorizeResult.Challenged ? StatusCode.Unauthenticated : StatusCode.PermissionDenied;
            await context.RequestServices.GetRequiredService<AuditLog>().RecordAsync(
                AdminAudit.Actor(context.User), grpc.Method.Name,
                skipped == 0 ? "" : $"{skipped} earlier refused calls were not recorded one by one",
                AdminAudit.Outcome(outcome), context.RequestAborted);
        }

        await answer.HandleAsync(next, context, policy, authorizeResult);
    }

    private bool TryTakeSlot(out int skipped)
    {
        lock (gate)
        {
            var now = clock.GetTimestamp();
            if (clock.GetElapsedTime(windowStart, now) >= TimeSpan.FromMinutes(1))
            {
                windowStart = now;
                recordedInWindow = 0;
            }

            if (recordedInWindow >= RefusalsPerMinute)
            {
                leftOut++;
                skipped = 0;
                return false;
            }

            recordedInWindow++;
            skipped = leftOut;
            leftOut = 0;
            return true;
        }
    }
}
