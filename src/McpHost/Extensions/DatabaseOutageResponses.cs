using Grpc.Core;
using Grpc.Core.Interceptors;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Perspective.Identity.Grpc;
using Perspective.Identity.Storage;
using Perspective.McpHost.Mcp;
using Perspective.Platform.Grpc;
using Perspective.Platform.Storage;

namespace Perspective.McpHost.Extensions;

/// <summary>
/// While the database is unreachable every caller gets an answer it understands, never a 500
/// with a stack trace: HTTP (MCP included) 503 with <c>Retry-After</c>, gRPC <c>UNAVAILABLE</c>,
/// an MCP tool an error result. Nothing is cached, so service resumes as soon as the database does.
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

    /// <summary>An MCP tool that loses the database mid-call reports it in its result.</summary>
    public static IMcpServerBuilder WithDatabaseOutageResults(this IMcpServerBuilder mcp) =>
        mcp.WithRequestFilters(filters => filters.AddCallToolFilter(next => async (request, cancellationToken) =>
        {
            try
            {
                return await next(request, cancellationToken);
            }
            catch (Exception e) when (DatabaseOutage.IsCause(e))
            {
                Report(request.Services!.GetRequiredService<ILoggerFactory>(), e, McpEndpoint.Path);
                throw new McpException(DatabaseOutage.Message);
            }
        }));

    private static long lastReport;

    /// <summary>
    /// Once per retry interval, not per refused request: drops the pooled connections of the gone
    /// server session and logs the reason (e.g. "Connection refused"), never the request's credentials.
    /// </summary>
    internal static void Report(ILoggerFactory loggers, Exception exception, string path)
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
internal sealed class DatabaseOutageInterceptor(ILoggerFactory loggers) : Interceptor
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
