namespace Perspective.Platform.Storage;

/// <summary>The relational stores the platform runs on (configuration key <c>Database:Provider</c>).</summary>
public enum DatabaseProvider
{
    /// <summary>Embedded file database; the default for a single host.</summary>
    Sqlite,

    /// <summary>A PostgreSQL server shared by any number of hosts.</summary>
    Postgres,
}
