using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using ServiceDefaults.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.Limits;

public static class RequestTimeLimits
{
    /// <summary>
    /// Binds <see cref="RequestTimeLimitOptions"/>: the overall limit as ASP.NET Core's default request-timeout
    /// policy (it cancels the request, and so YARP's call to the service), the data rates onto Kestrel.
    /// </summary>
    public static IHostApplicationBuilder AddRequestTimeLimits(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddReloadableOptions<RequestTimeLimitOptions>(RequestTimeLimitOptions.SectionName, static (section, options) => section.Bind(options), appliesWithoutRestart: false)
            .Validate(o => o.Request >= TimeSpan.FromSeconds(1) && o.Request <= TimeSpan.FromMinutes(10),
                "Gateway:RequestTimeouts:Request must be between 1 second and 10 minutes.")
            .Validate(o => o.MinRequestBodyBytesPerSecond >= 1 && o.MinResponseBytesPerSecond >= 1,
                "Gateway:RequestTimeouts: MinRequestBodyBytesPerSecond and MinResponseBytesPerSecond must be at least 1.")
            .Validate(o => o.DataRateGracePeriod >= TimeSpan.FromSeconds(2) && o.DataRateGracePeriod <= TimeSpan.FromMinutes(1),
                "Gateway:RequestTimeouts:DataRateGracePeriod must be between 2 seconds and 1 minute.");
        builder.Services.AddRequestTimeouts();
        builder.Services.AddOptions<RequestTimeoutOptions>().Configure<IOptions<RequestTimeLimitOptions>>((timeouts, limits) =>
            timeouts.DefaultPolicy = new RequestTimeoutPolicy { Timeout = limits.Value.Request, TimeoutStatusCode = StatusCodes.Status504GatewayTimeout });
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<RequestTimeLimitOptions>>((kestrel, limits) =>
        {
            var rates = limits.Value;
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(rates.MinRequestBodyBytesPerSecond, rates.DataRateGracePeriod);
            kestrel.Limits.MinResponseDataRate = new MinDataRate(rates.MinResponseBytesPerSecond, rates.DataRateGracePeriod);
        });
        return builder;
    }

    /// <summary>
    /// Starts the clock. YARP answers a cancelled call itself instead of letting the cancellation through, so when the
    /// limit was what cancelled it and nothing was sent yet, the status is set here: 408 if the client's body was
    /// still arriving, else 504 (the shared status-code pages turn both into problem details).
    /// </summary>
    public static WebApplication UseRequestTimeLimits(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseRequestTimeouts();
        app.Use(async (context, next) =>
        {
            await next(context).ConfigureAwait(false);
            if (context.Features.Get<IHttpRequestTimeoutFeature>()?.RequestTimeoutToken.IsCancellationRequested == true
                && !context.Response.HasStarted)
            {
                context.Response.Clear();
                context.Response.StatusCode = context.Features.Get<IForwarderErrorFeature>()?.Error
                    is ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient
                    ? StatusCodes.Status408RequestTimeout
                    : StatusCodes.Status504GatewayTimeout;
            }
        });
        return app;
    }
}
