using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Perspective.Activity.Recording;
using Perspective.Activity.Storage;

namespace Perspective.Activity.Tests;

/// <summary>The flusher against a real SQLite file: counts add up across flushes and hosts, and a failed write loses and doubles nothing.</summary>
public sealed class ReadCountFlusherTests : IAsyncLifetime
{
    private static readonly ActivityCredential Key = new(CredentialKinds.McpKey, "0123456789abcdef0123456789abcdef");

    private readonly string directory = Directory.CreateTempSubdirectory("perspective-activity-").FullName;
    private readonly FailingWrites failing = new();
    private ServiceProvider services = null!;

    public async Task InitializeAsync()
    {
        services = new ServiceCollection()
            .AddDbContext<ActivityDataContext>(options => options
                .UseSqlite($"Data Source={Path.Combine(directory, "activity.db")};Pooling=false")
                .AddInterceptors(failing))
            .BuildServiceProvider();
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ActivityDataContext>().Database.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task Each_flush_adds_to_the_stored_counters_and_two_hosts_add_up()
    {
        var (first, firstFlusher) = Host();
        var (second, secondFlusher) = Host();
        first.Increment(Key, "user-1", "workspace_list");
        first.Increment(Key, "user-1", "workspace_list");
        second.Increment(Key, "user-1", "workspace_list");
        second.Increment(Key, "user-1", "perspective_list");

        await Task.WhenAll(firstFlusher.FlushAsync(CancellationToken.None), secondFlusher.FlushAsync(CancellationToken.None));
        first.Increment(Key, "user-1", "workspace_list");
        await firstFlusher.FlushAsync(CancellationToken.None);

        Assert.Equal([("perspective_list", 1L), ("workspace_list", 4L)], await StoredAsync());
    }

    [Fact]
    public async Task A_failed_write_puts_back_only_what_was_not_written()
    {
        var (counter, flusher) = Host();
        counter.Increment(Key, "user-1", "conversation_list");
        counter.Increment(Key, "user-1", "perspective_list");
        counter.Increment(Key, "user-1", "workspace_list");

        // The first counter is written (an update that finds no row, then an insert); the next write fails.
        failing.FailFrom = 3;
        await flusher.FlushAsync(CancellationToken.None);

        Assert.Equal(1, Assert.Single(await StoredAsync()).Count);
        Assert.Equal([1L, 1L], counter.PendingFor(Key).Select(p => p.Value));

        failing.FailFrom = null;
        await flusher.FlushAsync(CancellationToken.None);

        Assert.Equal([("conversation_list", 1L), ("perspective_list", 1L), ("workspace_list", 1L)], await StoredAsync());
        Assert.Empty(counter.PendingFor(Key));
    }

    private (ReadCounter Counter, ReadCountFlusher Flusher) Host()
    {
        var counter = new ReadCounter(TimeProvider.System);
        return (counter, new ReadCountFlusher(counter, services.GetRequiredService<IServiceScopeFactory>(),
            Options.Create(new ActivityOptions()), NullLogger<ReadCountFlusher>.Instance));
    }

    private async Task<List<(string Tool, long Count)>> StoredAsync()
    {
        await using var scope = services.CreateAsyncScope();
        return (await scope.ServiceProvider.GetRequiredService<ActivityDataContext>().DailyReads.AsNoTracking()
                .Select(r => new { r.Tool, r.Count }).ToListAsync())
            .Select(r => (r.Tool, r.Count)).OrderBy(r => r.Tool, StringComparer.Ordinal).ToList();
    }

    /// <summary>Fails the write commands from the <see cref="FailFrom"/>th on, as a database that went away would.</summary>
    private sealed class FailingWrites : DbCommandInterceptor
    {
        private int writes;

        public int? FailFrom { get; set; }

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
            Check(command, result);

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
            Check(command, result);

        private ValueTask<T> Check<T>(DbCommand command, T result)
        {
            var sql = command.CommandText.TrimStart();
            if (FailFrom is { } limit && (sql.StartsWith("INSERT", StringComparison.OrdinalIgnoreCase) || sql.StartsWith("UPDATE", StringComparison.OrdinalIgnoreCase)) &&
                Interlocked.Increment(ref writes) >= limit)
            {
                throw new SqliteException("database is locked", 5);
            }

            return ValueTask.FromResult(result);
        }
    }
}
