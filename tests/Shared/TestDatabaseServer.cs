using Npgsql;
using Perspective.Platform.Storage;

namespace Perspective.Tests.Shared;

/// <summary>
/// Which database the storage suites run on. The test command runs them twice: on SQLite (the
/// default) and with <c>PERSPECTIVE_TEST_DATABASE=Postgres</c> on the throwaway cluster whose
/// connection string is <c>PERSPECTIVE_TEST_POSTGRES</c>; every test host gets its own database there.
/// </summary>
public static class TestDatabaseServer
{
    public static DatabaseProvider Provider { get; } =
        Enum.Parse<DatabaseProvider>(Environment.GetEnvironmentVariable("PERSPECTIVE_TEST_DATABASE") is { Length: > 0 } value ? value : "Sqlite", ignoreCase: true);

    /// <summary>The connection string of database <paramref name="name"/> on the test server (created by the host's startup).</summary>
    public static string PostgresConnectionString(string name) =>
        new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name }.ConnectionString;

    public static void DropPostgresDatabase(string name)
    {
        NpgsqlConnection.ClearAllPools();
        using var connection = new NpgsqlConnection(ServerConnectionString);
        connection.Open();
        using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        drop.ExecuteNonQuery();
    }

    private static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("PERSPECTIVE_TEST_POSTGRES") is { Length: > 0 } server
            ? server
            : throw new InvalidOperationException(
                "PERSPECTIVE_TEST_DATABASE=Postgres needs PERSPECTIVE_TEST_POSTGRES, the connection string of a PostgreSQL server " +
                "(scripts/test.sh starts one; scripts/postgres-cluster.sh start DIR prints it).");
}
