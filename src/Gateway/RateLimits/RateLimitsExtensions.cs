using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using ServiceDefaults.Authorization;
using ServiceDefaults.Configuration;

namespace Gateway.RateLimits;

public static class RateLimitsExtensions
{
    /// <summary>The rate-limiter policy a route names (<c>RateLimiterPolicy</c>) to get the token endpoint's limit.</summary>
    public const string TokenEndpointPolicy = "token-endpoint";

    /// <summary>
    /// Every request counts against its caller's limit: per token subject once authenticated, else per client IP.
    /// Routes naming <see cref="TokenEndpointPolicy"/> also count against the tighter sign-in limit. Over a limit:
    /// 429 problem details with <c>Retry-After</c>.
    /// </summary>
    public static IHostApplicationBuilder AddRateLimits(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddReloadableOptions<RateLimitOptions>(RateLimitOptions.SectionName, static (section, options) => section.Bind(options))
            .Validate(o => IsValid(o.PerSubject) && IsValid(o.PerAddress) && IsValid(o.TokenEndpoint),
                "Gateway:RateLimits: every PermitLimit must be positive and every Window between 1 second and 1 hour.");
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<ReloadableOptions<RateLimitOptions>>((limiter, configured) =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, PartitionKey>(context =>
                context.User.FindFirst(AccessTokenClaims.Subject)?.Value is { } subject
                    ? Partition(PartitionKind.Subject, subject, configured.Current.PerSubject)
                    : Partition(PartitionKind.Address, ClientAddress(context), configured.Current.PerAddress));
            limiter.AddPolicy(TokenEndpointPolicy, context => Partition(PartitionKind.Address, ClientAddress(context), configured.Current.TokenEndpoint));
            limiter.OnRejected = RejectAsync;
        });
        return builder;
    }

    public static WebApplication UseRateLimits(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseRateLimiter();
        return app;
    }

    private static bool IsValid(FixedWindowLimit limit) =>
        limit.PermitLimit > 0 && limit.Window >= TimeSpan.FromSeconds(1) && limit.Window <= TimeSpan.FromHours(1);

    /// <summary>
    /// The limit is part of the partition key, so a reloaded limit starts fresh windows at once, and limits that did
    /// not change keep their windows. A value key and a factory that reads the limit from it: no allocation per
    /// request (docs/performance.md).
    /// </summary>
    private static RateLimitPartition<PartitionKey> Partition(PartitionKind kind, string id, FixedWindowLimit limit) =>
        RateLimitPartition.GetFixedWindowLimiter(new PartitionKey(kind, id, limit.PermitLimit, limit.Window.Ticks), static key => new FixedWindowRateLimiterOptions
        {
            PermitLimit = key.PermitLimit,
            Window = TimeSpan.FromTicks(key.WindowTicks),
            QueueLimit = 0,
            AutoReplenishment = true,
        });

    private enum PartitionKind
    {
        Subject,
        Address,
    }

    /// <summary>Whose requests (a token subject or a client address) under which limit.</summary>
    private readonly record struct PartitionKey(PartitionKind Kind, string Id, int PermitLimit, long WindowTicks);

    private static string ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static async ValueTask RejectAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests." },
        }).ConfigureAwait(false);
    }
}
