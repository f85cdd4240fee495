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

        DeleteFolder(dataDirectory);
    }

    /// <summary>
    /// Deletes the folder, trying again for up to two seconds when deleting it fails. Seen once in a full run on
    /// a loaded machine: a test class's cleanup failed with an IOException although every test had passed, most
    /// likely a file (such as a SQLite journal) appearing while the folder was deleted. A folder that stays
    /// undeletable still fails the cleanup, naming what is left in it.
    /// </summary>
    private static void DeleteFolder(string dataDirectory)
    {
        for (var attempt = 1; Directory.Exists(dataDirectory); attempt++)
        {
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException) when (attempt < 20)
            {
                Thread.Sleep(100);
                SqliteConnection.ClearAllPools();
            }
            catch (IOException e)
            {
                var left = string.Join(", ", Directory.EnumerateFileSystemEntries(dataDirectory).Select(Path.GetFileName));
                throw new IOException($"{dataDirectory} could not be deleted; still in it: {left}", e);
            }
        }
    }

    private static string DatabaseName(string dataDirectory) =>
        "perspective_" + new string(Path.GetFileName(Path.TrimEndingDirectorySeparator(dataDirectory)).Select(c => char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '_').ToArray());
}
