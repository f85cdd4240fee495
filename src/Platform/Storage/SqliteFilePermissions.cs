using Microsoft.Data.Sqlite;
using Perspective.Platform.Hosting;

namespace Perspective.Platform.Storage;

/// <summary>
/// Keeps the SQLite database readable by the host's user only (mode 0600). The file is created empty
/// with that mode before SQLite first opens it, and SQLite gives its -wal and -shm files the mode of the
/// database file. Files left world-readable by earlier versions are restricted at start.
/// </summary>
public static class SqliteFilePermissions
{
    private static readonly string[] CompanionSuffixes = ["-wal", "-shm", "-journal"];

    public static void RestrictToOwner(PlatformDatabaseSettings settings)
    {
        if (settings.Provider != DatabaseProvider.Sqlite)
        {
            return;
        }

        var connectionString = new SqliteConnectionStringBuilder(settings.ConnectionString);
        if (connectionString.Mode == SqliteOpenMode.Memory || connectionString.DataSource is "" or ":memory:")
        {
            return;
        }

        var path = Path.GetFullPath(connectionString.DataSource);
        OwnerOnlyFiles.CreateEmptyFile(path);
        OwnerOnlyFiles.Restrict(path);
        foreach (var suffix in CompanionSuffixes)
        {
            OwnerOnlyFiles.Restrict(path + suffix);
        }
    }
}
