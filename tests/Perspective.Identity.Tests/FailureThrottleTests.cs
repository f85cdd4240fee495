using Perspective.Platform.Http;

namespace Perspective.Identity.Tests;

public sealed class FailureThrottleTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    private readonly ManualClock clock = new();

    [Fact]
    public void An_address_is_refused_after_the_limit_until_its_window_ends()
    {
        var throttle = new Throttle(clock, limit: 3);
        for (var i = 0; i < 3; i++)
        {
            Assert.Null(throttle.RetryAfter("192.0.2.1"));
            throttle.RecordFailure("192.0.2.1");
        }

        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(TimeSpan.FromMinutes(4), throttle.RetryAfter("192.0.2.1"));
        Assert.Null(throttle.RetryAfter("192.0.2.2"));

        clock.Advance(TimeSpan.FromMinutes(4));
        Assert.Null(throttle.RetryAfter("192.0.2.1"));
    }

    [Fact]
    public void Begun_attempts_count_at_once_and_forgiven_ones_no_longer()
    {
        var throttle = new Throttle(clock, limit: 2);

        Assert.True(throttle.TryBegin("192.0.2.1", out var first, out _));
        Assert.True(throttle.TryBegin("192.0.2.1", out _, out _));
        Assert.False(throttle.TryBegin("192.0.2.1", out _, out var wait));
        Assert.Equal(Window, wait);
        Assert.True(throttle.TryBegin("192.0.2.2", out _, out _));

        throttle.Forgive(first);
        Assert.True(throttle.TryBegin("192.0.2.1", out _, out _));
        Assert.False(throttle.TryBegin("192.0.2.1", out _, out _));
    }

    [Fact]
    public void Forgiving_an_attempt_of_an_earlier_window_takes_nothing_from_the_new_one()
    {
        var throttle = new Throttle(clock, limit: 2);
        Assert.True(throttle.TryBegin("192.0.2.1", out var old, out _));

        clock.Advance(Window);
        Assert.True(throttle.TryBegin("192.0.2.1", out _, out _));
        Assert.True(throttle.TryBegin("192.0.2.1", out _, out _));
        throttle.Forgive(old);

        Assert.False(throttle.TryBegin("192.0.2.1", out _, out _));
    }

    [Fact]
    public async Task Parallel_attempts_never_pass_the_limit_together()
    {
        var throttle = new Throttle(clock, limit: 10);

        var begun = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => throttle.TryBegin("192.0.2.1", out _, out _))));

        Assert.Equal(10, begun.Count(b => b));
    }

    private sealed class Limits : FailureLimitOptions;

    private sealed class Throttle(TimeProvider clock, int limit)
        : FailureThrottle(clock, new Limits { Limit = limit, Window = Window });

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }
}
