using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Perspective.IntegrationTests;

/// <summary>Keeps every log line the host writes, so tests can prove secrets never reach the logs.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> lines = new();
    private int startupLines = -1;

    public IReadOnlyCollection<string> Lines => lines;

    /// <summary>
    /// What was logged after the first host on these logs started: on a fresh PostgreSQL database EF
    /// Core's migration probe logs a failed query while starting, which says nothing about a request.
    /// </summary>
    public IEnumerable<string> SinceStartup => lines.Skip(Math.Max(0, startupLines));

    public void MarkStarted() => Interlocked.CompareExchange(ref startupLines, lines.Count, -1);

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
