using Microsoft.Data.Sqlite;
using Perspective.Platform.Storage;
using Perspective.Tests.Shared;

namespace Perspective.IntegrationTests;

/// <summary>The database of an in-process host, named after its data folder (see <see cref="TestDatabaseServer"/>).</summary>
public static class TestDatabase
{
    public static DatabaseProvider Provider => TestDatabaseServer.Provider;

    /// <summary>The connection string of the database that belongs to <paramref name="dataDirectory"/>.</summary>
    public static string ConnectionString(string dataDirectory) => Provider switch
    {
        DatabaseProvider.Postgres => TestDatabaseServer.PostgresConnectionString(DatabaseName(dataDirectory)),
        _ => $"Data Source={Path.Combine(dataDirectory, "platform.db")}",
    };

    /// <summary>Deletes the database that belongs to <paramref name="dataDirectory"/>, and the folder.</summary>
    public static void Delete(string dataDirectory)
    {
        SqliteConnection.ClearAllPools();
        if (Provider == DatabaseProvider.Postgres)
        {
            TestDatabaseServer.DropPostgresDatabase(DatabaseName(dataDirectory));
        }

        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private static string DatabaseName(string dataDirectory) =>
        "perspective_" + new string(Path.GetFileName(Path.TrimEndingDirectorySeparator(dataDirectory)).Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_').ToArray());
}
