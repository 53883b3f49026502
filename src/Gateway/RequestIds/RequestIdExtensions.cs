using System.Buffers;
using System.Diagnostics;

namespace Gateway.RequestIds;

public static class RequestIdExtensions
{
    /// <summary>The header that carries a request's id to the service and back to the caller.</summary>
    public const string HeaderName = "X-Request-Id";

    private const int MaximumLength = 64;

    private static readonly SearchValues<char> Allowed =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.:");

    /// <summary>
    /// Every request gets one <c>X-Request-Id</c>, forwarded to the service, returned to the caller and used as the
    /// request's identifier in logs. A caller's own id is kept when it is well formed (one value, 1–64 characters
    /// of letters, digits and <c>-_.:</c>) so it can correlate its calls; anything else is replaced by the
    /// request's W3C trace id.
    /// </summary>
    public static WebApplication UseRequestIds(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use((context, next) =>
        {
            var supplied = context.Request.Headers[HeaderName];
            var id = supplied.Count == 1 && IsWellFormed(supplied[0]) ? supplied[0]! : NewId();
            context.Request.Headers[HeaderName] = id;
            context.TraceIdentifier = id;
            context.Response.OnStarting(() =>
            {
                // Last word on the response, over any id the service sent back.
                context.Response.Headers[HeaderName] = id;
                return Task.CompletedTask;
            });
            return next(context);
        });
        return app;
    }

    private static bool IsWellFormed(string? id) =>
        id is { Length: > 0 and <= MaximumLength } && !id.AsSpan().ContainsAnyExcept(Allowed);

    private static string NewId() => Activity.Current?.TraceId.ToHexString() ?? Guid.NewGuid().ToString("N");
}
