using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TokenClients.Tests;

/// <summary>Keeps every formatted log line with its structured values, to check what reaches logs.</summary>
public sealed class RecordingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyList<string> Lines => [.. _lines];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(", ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
        _lines.Enqueue($"{eventId.Id} {formatter(state, exception)} [{values}] {exception}");
    }
}
