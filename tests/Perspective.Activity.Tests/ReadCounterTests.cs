using Perspective.Activity.Recording;
using Perspective.Activity.Storage;

namespace Perspective.Activity.Tests;

public sealed class ReadCounterTests
{
    private static readonly ActivityCredential Key = new(CredentialKinds.McpKey, "0123456789abcdef0123456789abcdef");
    private static readonly ActivityCredential App = new(CredentialKinds.OAuth, "7b0c6f1e-1111-4a4a-9c9c-123456789abc");

    private readonly ReadCounter counter = new(TimeProvider.System);

    [Fact]
    public void Calls_of_one_credential_and_tool_on_one_day_are_one_count()
    {
        counter.Increment(Key, "user-1", "workspace_list");
        counter.Increment(Key, "user-1", "workspace_list");
        counter.Increment(Key, "user-1", "perspective_list");
        counter.Increment(App, "user-1", "workspace_list");

        var taken = counter.TakePending().ToDictionary(p => (p.Key.Credential, p.Key.Tool), p => p.Value);

        Assert.Equal(3, taken.Count);
        Assert.Equal(2, taken[(Key, "workspace_list")]);
        Assert.Equal(1, taken[(Key, "perspective_list")]);
        Assert.Equal(1, taken[(App, "workspace_list")]);
        Assert.Empty(counter.TakePending());
    }

    [Fact]
    public void Pending_counts_are_shown_per_credential_until_taken()
    {
        counter.Increment(Key, "user-1", "workspace_list");
        counter.Increment(App, "user-1", "workspace_list");

        Assert.Equal(1, Assert.Single(counter.PendingFor(Key)).Value);
        counter.TakePending();
        Assert.Empty(counter.PendingFor(Key));
    }

    [Fact]
    public void Restored_counts_add_to_the_calls_counted_meanwhile()
    {
        counter.Increment(Key, "user-1", "workspace_list");
        counter.Increment(Key, "user-1", "workspace_list");
        var taken = counter.TakePending();
        counter.Increment(Key, "user-1", "workspace_list");

        counter.Restore(taken);

        Assert.Equal(3, Assert.Single(counter.TakePending()).Value);
    }

    [Fact]
    public async Task Concurrent_calls_and_flushes_lose_and_double_nothing()
    {
        const int Threads = 8;
        const int CallsPerThread = 20_000;
        long flushed = 0;
        using var done = new CancellationTokenSource();

        var flusher = Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
            {
                flushed += counter.TakePending().Sum(p => p.Value);
            }
        });
        await Task.WhenAll(Enumerable.Range(0, Threads).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < CallsPerThread; i++)
            {
                counter.Increment(Key, "user-1", "workspace_list");
            }
        })));
        await done.CancelAsync();
        await flusher;
        flushed += counter.TakePending().Sum(p => p.Value);

        Assert.Equal(Threads * CallsPerThread, flushed);
    }
}
