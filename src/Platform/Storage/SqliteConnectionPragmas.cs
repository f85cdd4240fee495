using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Perspective.Platform.Storage;

/// <summary>
/// Sets the per-connection SQLite busy timeout, so a writer waits for another instead of
/// failing at once with "database is locked". It is a direct call on the native handle, not a
/// statement: connections are opened on every request, and a PRAGMA each time would cost a round trip.
/// </summary>
internal sealed class SqliteConnectionPragmas : DbConnectionInterceptor
{
    public static readonly SqliteConnectionPragmas Instance = new();

    private static readonly int BusyTimeoutMilliseconds = (int)PlatformDatabase.SqliteBusyTimeout.TotalMilliseconds;

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => SetBusyTimeout(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        SetBusyTimeout(connection);
        return Task.CompletedTask;
    }

    private static void SetBusyTimeout(DbConnection connection)
    {
        if (connection is SqliteConnection { Handle: { } handle })
        {
            SQLitePCL.raw.sqlite3_busy_timeout(handle, BusyTimeoutMilliseconds);
        }
    }
}
