using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Perspective.Identity.Storage;

/// <summary>
/// Sets the per-connection SQLite busy timeout, so a writer waits for another instead of
/// failing at once with "database is locked".
/// </summary>
internal sealed class SqliteConnectionPragmas : DbConnectionInterceptor
{
    public static readonly SqliteConnectionPragmas Instance = new();

    private static readonly string Pragmas =
        $"PRAGMA busy_timeout = {(int)PlatformDatabase.SqliteBusyTimeout.TotalMilliseconds};";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(
        DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = Pragmas;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
