using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Perspective.Platform.Hosting;

namespace Perspective.Platform.Storage;

/// <summary>
/// Which database every module's tables live in, read from <c>Database:Provider</c> and
/// <c>ConnectionStrings:Platform</c>. Without a connection string the SQLite file lives in the
/// host's data folder (<c>Platform:DataDirectory</c>, default <c>data</c> under the content root);
/// PostgreSQL always needs one.
/// </summary>
public sealed record PlatformDatabaseSettings(DatabaseProvider Provider, string ConnectionString)
{
    public const string ConnectionStringName = "Platform";

    public static PlatformDatabaseSettings From(IConfiguration configuration, IHostEnvironment environment)
    {
        var provider = ParseProvider(configuration["Database:Provider"]);
        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            if (provider != DatabaseProvider.Sqlite)
            {
                throw new InvalidSettingException($"ConnectionStrings:{ConnectionStringName}",
                    $"is required when Database:Provider is {provider} (environment variable ConnectionStrings__Platform), " +
                    "e.g. \"Host=db.internal;Database=perspective;Username=perspective;Password=…\".");
            }

            var dataDirectory = PlatformDataDirectory.EnsureCreated(configuration, environment);
            connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(dataDirectory, "platform.db") }.ToString();
        }

        return new PlatformDatabaseSettings(provider, connectionString);
    }

    private static DatabaseProvider ParseProvider(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return DatabaseProvider.Sqlite;
        }

        return Enum.TryParse<DatabaseProvider>(value, ignoreCase: true, out var provider) && Enum.IsDefined(provider)
            ? provider
            : throw new InvalidSettingException("Database:Provider",
                $"'{value}' is not supported. Use one of: {string.Join(", ", Enum.GetNames<DatabaseProvider>())}.");
    }
}
