using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using ServiceDefaults.Health;

namespace ServiceDefaults.Shutdown;

/// <summary>
/// The drain phase between SIGTERM and the server's stop (<see cref="ShutdownOptions.DrainDelay"/>): not ready, and
/// <c>Connection: close</c> on every response. Runs before the server stops listening because the host calls
/// <see cref="IHostedLifecycleService.StoppingAsync"/> of every service before it stops any of them.
/// </summary>
public sealed partial class ShutdownDrain(IOptions<ShutdownOptions> options, TimeProvider time, ILogger<ShutdownDrain> logger)
    : IHostedLifecycleService, IHealthCheck
{
    private volatile bool _draining;

    public bool IsDraining => _draining;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var delay = options.Value.DrainDelay;
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        _draining = true;
        LogDraining(logger, delay);
        try
        {
            await Task.Delay(delay, time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout ran out: stop now.
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_draining ? HealthCheckResult.Unhealthy("Shutting down.") : HealthCheckResult.Healthy());

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Shutting down: draining connections for {Delay} before the server stops listening.")]
    private static partial void LogDraining(ILogger logger, TimeSpan delay);
}

public static class ShutdownDrainExtensions
{
    public static IServiceCollection AddShutdownDrain(this IServiceCollection services)
    {
        services.AddOptions<ShutdownOptions>().BindConfiguration(ShutdownOptions.SectionName)
            .Validate(o => o.DrainDelay >= TimeSpan.Zero && o.DrainDelay <= ShutdownOptions.MaximumDrainDelay,
                "Shutdown:DrainDelay must be between 0 and 20 seconds.")
            .ValidateOnStart();
        services.AddSingleton<ShutdownDrain>();
        services.AddHostedService(provider => provider.GetRequiredService<ShutdownDrain>());
        services.AddHealthChecks().AddCheck<ShutdownDrain>("shutdown", tags: [HealthExtensions.ReadyTag]);
        return services;
    }

    /// <summary>While draining, every response asks the client to close the connection after it.</summary>
    public static WebApplication UseShutdownDrain(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var drain = app.Services.GetRequiredService<ShutdownDrain>();
        app.Use((context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var (response, drain) = ((HttpResponse, ShutdownDrain))state;
                if (drain.IsDraining)
                {
                    response.Headers[HeaderNames.Connection] = "close";
                }

                return Task.CompletedTask;
            }, (context.Response, drain));
            return next(context);
        });
        return app;
    }
}
