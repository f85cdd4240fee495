using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Perspective.Platform.Grpc;

namespace Perspective.Platform.Storage;

/// <summary>
/// While the database is unreachable every caller gets an answer it understands, never a 500
/// with a stack trace: HTTP (MCP included) 503 with <c>Retry-After</c>, gRPC <c>UNAVAILABLE</c>.
/// Nothing is cached, so service resumes as soon as the database does.
/// </summary>
public static class DatabaseOutageResponses
{
    /// <summary>Catches outages anywhere in the pipeline, authentication (which reads credentials) included.</summary>
    public static IApplicationBuilder UseDatabaseOutageResponses(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (Exception e) when (DatabaseOutage.IsCause(e) && !context.Response.HasStarted)
            {
                Report(context.RequestServices.GetRequiredService<ILoggerFactory>(), e, context.Request.Path);
                context.Response.Clear();
                context.Response.Headers.RetryAfter = DatabaseOutage.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (GrpcResponses.IsGrpcRequest(context.Request))
                {
                    await GrpcResponses.WriteStatusAsync(context, StatusCode.Unavailable, DatabaseOutage.Message);
                    return;
                }

                await Results.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Service unavailable",
                    detail: DatabaseOutage.Message).ExecuteAsync(context);
            }
        });

    private static long lastReport;

    /// <summary>
    /// Once per retry interval, not per refused request: drops the pooled connections of the gone
    /// server session and logs the reason (e.g. "Connection refused"), never the request's credentials.
    /// </summary>
    public static void Report(ILoggerFactory loggers, Exception exception, string path)
    {
        var now = Environment.TickCount64;
        var last = Interlocked.Read(ref lastReport);
        if (now - last < DatabaseOutage.RetryAfterSeconds * 1000L || Interlocked.CompareExchange(ref lastReport, now, last) != last)
        {
            return;
        }

        DatabaseOutage.ForgetBrokenConnections(exception);
        loggers.CreateLogger(typeof(DatabaseOutageResponses)).LogWarning(
            "Answered {Path} with 503 / UNAVAILABLE: the database is unreachable ({Reason}); further refusals within {Seconds} s are not logged",
            path, exception.GetBaseException().Message, DatabaseOutage.RetryAfterSeconds);
    }
}

/// <summary>Turns an outage inside a gRPC method into <c>UNAVAILABLE</c> with a message the UI shows.</summary>
public sealed class DatabaseOutageInterceptor(ILoggerFactory loggers) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception e) when (DatabaseOutage.IsCause(e))
        {
            DatabaseOutageResponses.Report(loggers, e, context.Method);
            context.ResponseTrailers.Add("retry-after", DatabaseOutage.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
            throw new RpcException(new Status(StatusCode.Unavailable, DatabaseOutage.Message));
        }
    }
}
