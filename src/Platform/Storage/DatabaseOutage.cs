using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Perspective.Platform.Storage;

/// <summary>
/// Tells a database that cannot serve right now (server down or restarting, connection refused or
/// dropped, pool exhausted, SQLite file busy past its timeout) from a bug. The first is answered
/// with 503 / <c>UNAVAILABLE</c> and goes away by itself when the database returns.
/// </summary>
public static class DatabaseOutage
{
    /// <summary>What callers are told; no detail of the failure (server names, addresses) leaks out.</summary>
    public const string Message = "The platform's database is unavailable right now. Nothing was changed; try again in a few seconds.";

    /// <summary>Seconds a client is asked to wait before retrying.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>Whether <paramref name="exception"/> (or one it wraps) means the database cannot be reached.</summary>
    public static bool IsCause(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case PostgresException postgres when IsUnavailableState(postgres.SqlState):
                case NpgsqlException { IsTransient: true } and not PostgresException:
                case NpgsqlException { InnerException: SocketException or IOException or TimeoutException }:
                case SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED or SQLitePCL.raw.SQLITE_CANTOPEN }:
                    return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Drops idle pooled PostgreSQL connections after <paramref name="outage"/>: they belonged to a
    /// server session that is gone, and reusing them would fail once more each after the server is
    /// back. (A busy SQLite file has no such connections.)
    /// </summary>
    public static void ForgetBrokenConnections(Exception outage)
    {
        for (var current = outage; current is not null; current = current.InnerException)
        {
            if (current is NpgsqlException)
            {
                NpgsqlConnection.ClearAllPools();
                return;
            }
        }
    }

    // Class 08: connection exception; 57P01-57P03: shutdown / crash / cannot connect now; 53300: too many connections.
    private static bool IsUnavailableState(string state) =>
        state.StartsWith("08", StringComparison.Ordinal) || state is "57P01" or "57P02" or "57P03" or "53300";
}
