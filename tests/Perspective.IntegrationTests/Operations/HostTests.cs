using System.Net;
using Grpc.Reflection.V1Alpha;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Perspective.Identity.Storage;
using Perspective.Keys.Storage;
using Perspective.McpHost.Admin;
using Perspective.McpHost.Content;
using Perspective.Platform.Storage;

namespace Perspective.IntegrationTests.Operations;

public sealed class HostTests(PlatformFactory factory) : IClassFixture<PlatformFactory>
{
    [Fact]
    public async Task Health_endpoint_reports_healthy()
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal($$$"""{"status":"Healthy","database":{"provider":"{{{TestDatabase.Provider}}}","status":"Healthy"}}""",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Reflection_lists_the_platform_services_without_a_sign_in()
    {
        var client = new ServerReflection.ServerReflectionClient(factory.CreateGrpcChannel());

        using var call = client.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("perspective.accounts.v1.AccountService", services);
        Assert.Contains("grpc.reflection.v1alpha.ServerReflection", services);
    }

    [Theory]
    [InlineData(typeof(IdentityDataContext))]
    [InlineData(typeof(KeysDataContext))]
    [InlineData(typeof(ContentDataContext))]
    [InlineData(typeof(AdminDataContext))]
    [InlineData(typeof(Perspective.Activity.Storage.ActivityDataContext))]
    public async Task The_schema_comes_from_checked_in_migrations_of_the_provider_that_match_the_model(Type contextType)
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = (DbContext)scope.ServiceProvider.GetRequiredService(contextType);

        // Each provider has its own migrations, owned by its own context type.
        Assert.Equal(TestDatabase.Provider == DatabaseProvider.Postgres ? "Postgres" + contextType.Name : contextType.Name, db.GetType().Name);
        Assert.NotEmpty(await db.Database.GetAppliedMigrationsAsync());
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.False(db.Database.HasPendingModelChanges(),
            $"The model of {db.GetType().Name} has changes without a migration: run dotnet ef migrations add for both providers (README).");
    }

    [Fact]
    public async Task The_database_is_set_up_for_concurrent_requests()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<IdentityDataContext>().Database;
        await database.OpenConnectionAsync();
        var connection = database.GetDbConnection();

        if (TestDatabase.Provider == DatabaseProvider.Sqlite)
        {
            Assert.Equal("wal", await ScalarAsync(connection, "PRAGMA journal_mode;"));
            Assert.Equal((long)PlatformDatabase.SqliteBusyTimeout.TotalMilliseconds, await ScalarAsync(connection, "PRAGMA busy_timeout;"));
            Assert.True(File.Exists(factory.DatabasePath));
        }
        else
        {
            // Read committed: a request sees every change committed before it started, from any host.
            Assert.Equal("read committed", await ScalarAsync(connection, "SHOW transaction_isolation;"));
            Assert.Equal(TestDatabase.ConnectionString(factory.DataDirectory).Split("Database=")[1], await ScalarAsync(connection, "SELECT current_database();"));
        }
    }

    private static async Task<object?> ScalarAsync(System.Data.Common.DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
