using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Perspective.Bench;

/// <summary>Counts the SQL commands the host sends, and among them the ones that write.</summary>
internal sealed class WriteCounter : DbCommandInterceptor
{
    private long commands;
    private long writes;

    public long Commands => Interlocked.Read(ref commands);

    public long Writes => Interlocked.Read(ref writes);

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Count(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Count(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Count(command);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Count(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Count(command);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(
        DbCommand command, CommandEventData eventData, InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Count(command);
        return ValueTask.FromResult(result);
    }

    private void Count(DbCommand command)
    {
        Interlocked.Increment(ref commands);
        var sql = command.CommandText.TrimStart();
        if (sql.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase) ||
            sql.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase) ||
            sql.StartsWith("DELETE", StringComparison.OrdinalIgnoreCase))
        {
            Interlocked.Increment(ref writes);
        }
    }
}
