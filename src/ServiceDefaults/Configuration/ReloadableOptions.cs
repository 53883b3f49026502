using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ServiceDefaults.Configuration;

/// <summary>
/// One configuration section, validated at start (an invalid value stops the process) and again whenever the
/// configuration reloads. <see cref="Current"/> is always the last valid value: a reload that fails validation is
/// logged as an error naming the section and every failure, and ignored. A section read only at start
/// (<c>appliesWithoutRestart: false</c>) keeps its start value and logs that a valid change waits for a restart.
/// Register with <see cref="ReloadableOptionsExtensions.AddReloadableOptions{TOptions}"/>.
/// </summary>
public sealed partial class ReloadableOptions<TOptions> : IHostedService, IDisposable
    where TOptions : class, new()
{
    private readonly IConfigurationSection _section;
    private readonly Action<IConfiguration, TOptions> _bind;
    private readonly IEnumerable<IValidateOptions<TOptions>> _validators;
    private readonly bool _appliesWithoutRestart;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly IDisposable _subscription;
    private volatile TOptions _current;
    private string _lastSeen;

    internal ReloadableOptions(
        IConfigurationSection section,
        Action<IConfiguration, TOptions> bind,
        bool appliesWithoutRestart,
        IOptionsMonitor<TOptions> validatedAtStart,
        IEnumerable<IValidateOptions<TOptions>> validators,
        ILogger<ReloadableOptions<TOptions>> logger)
    {
        _section = section;
        _bind = bind;
        _appliesWithoutRestart = appliesWithoutRestart;
        _validators = validators;
        _logger = logger;
        _current = validatedAtStart.CurrentValue;
        _lastSeen = Fingerprint(_section);
        _subscription = ChangeToken.OnChange(_section.GetReloadToken, Reload);
    }

    /// <summary>The last valid value: the one validated at start, or the last valid reload of a section that applies without a restart.</summary>
    public TOptions Current => _current;

    /// <summary>Started with the host, so reloads are watched from the start rather than from the first use.</summary>
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _subscription.Dispose();

    private void Reload()
    {
        var fingerprint = Fingerprint(_section);
        lock (_gate)
        {
            // Every section's reload token fires on any reload; only a changed value is news.
            if (fingerprint == _lastSeen)
            {
                return;
            }

            _lastSeen = fingerprint;
            var reloaded = new TOptions();
            _bind(_section, reloaded);
            var failures = _validators
                .Select(validator => validator.Validate(Options.DefaultName, reloaded))
                .Where(result => result.Failed)
                .SelectMany(result => result.Failures ?? [result.FailureMessage ?? "invalid"])
                .ToList();
            if (failures.Count > 0)
            {
                LogRejected(_logger, _section.Path, string.Join(" ", failures));
            }
            else if (_appliesWithoutRestart)
            {
                _current = reloaded;
                LogApplied(_logger, _section.Path);
            }
            else
            {
                LogNeedsRestart(_logger, _section.Path);
            }
        }
    }

    /// <summary>The section's settings as configuration holds them, every key and value in key order.</summary>
    private static string Fingerprint(IConfigurationSection section) =>
        string.Join('\n', section.AsEnumerable(makePathsRelative: true)
            .OrderBy(setting => setting.Key, StringComparer.OrdinalIgnoreCase)
            .Select(setting => $"{setting.Key}={setting.Value}"));

    [LoggerMessage(EventId = 1101, Level = LogLevel.Error,
        Message = "Ignored an invalid configuration change to {Section}; the last valid settings stay in force: {Failures}")]
    private static partial void LogRejected(ILogger logger, string section, string failures);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Applied a configuration change to {Section}.")]
    private static partial void LogApplied(ILogger logger, string section);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning,
        Message = "Configuration section {Section} changed; it is read only at start, so the change applies after a restart.")]
    private static partial void LogNeedsRestart(ILogger logger, string section);
}
