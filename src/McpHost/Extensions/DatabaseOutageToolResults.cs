using ModelContextProtocol;
using Perspective.McpHost.Mcp;
using Perspective.Platform.Storage;

namespace Perspective.McpHost.Extensions;

/// <summary>
/// The MCP side of <see cref="DatabaseOutageResponses"/>: a tool that loses the database mid-call
/// reports it in its result, which the model reads, instead of failing the whole request.
/// </summary>
public static class DatabaseOutageToolResults
{
    public static IMcpServerBuilder WithDatabaseOutageResults(this IMcpServerBuilder mcp) =>
        mcp.WithRequestFilters(filters => filters.AddCallToolFilter(next => async (request, cancellationToken) =>
        {
            try
            {
                return await next(request, cancellationToken);
            }
            catch (Exception e) when (DatabaseOutage.IsCause(e))
            {
                DatabaseOutageResponses.Report(request.Services!.GetRequiredService<ILoggerFactory>(), e, McpEndpoint.Path);
                throw new McpException(DatabaseOutage.Message);
            }
        }));
}
