using Microsoft.AspNetCore.Http.Features;

namespace Gateway.RequestTargets;

public static partial class RequestTargetExtensions
{
    /// <summary>
    /// Refuses, with 400 problem details and before authentication, routing or proxying, every request whose raw
    /// target is not canonical (<see cref="CanonicalRequestTarget"/>): encoded slashes, dots or percents, dot and
    /// empty segments, control characters, invalid or overlong UTF-8, <c>access_token</c> query parameters. Kestrel
    /// itself already refuses some (NUL).
    /// </summary>
    public static WebApplication UseCanonicalRequestTargets(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CanonicalRequestTarget));
        app.Use((context, next) =>
        {
            var rawTarget = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
            // Kestrel, IIS and HTTP.sys always give the raw target; a server that does not (the in-memory test
            // server) is judged by the path as it would be re-encoded for forwarding.
            var violation = CanonicalRequestTarget.Inspect(
                string.IsNullOrEmpty(rawTarget) ? (context.Request.PathBase + context.Request.Path).ToUriComponent() : rawTarget);
            if (violation == RequestTargetViolation.None)
            {
                return next(context);
            }

            // The reason only: the target itself is attacker-chosen and may carry anything, tokens included.
            LogRefused(logger, violation);
            return Results.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "The request target is not accepted.",
                detail: "Send the path without dot or empty segments and without encoded slashes, dots, percents or control characters, and tokens only in the Authorization header.")
                .ExecuteAsync(context);
        });
        return app;
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Refused a non-canonical request target: {Violation}.")]
    private static partial void LogRefused(ILogger logger, RequestTargetViolation violation);
}
