using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace ServiceDefaults.RequestBodies;

public static class OversizedBodyExtensions
{
    /// <summary>
    /// Answers with <c>Connection: close</c> when a request declares a body larger than its endpoint accepts. Such a
    /// body is refused when read (413), but a request answered without reading it (401, 404, a wrong content type)
    /// leaves Kestrel to drain it after the response, and draining past the limit closes the connection without
    /// notice: a proxy that already took the connection back into its pool then fails the next request it sends
    /// on it (a 502 at the gateway for some other caller). Saying so in the response keeps proxies from reusing it.
    /// </summary>
    public static IApplicationBuilder UseCloseAfterOversizedBodies(this IApplicationBuilder app) =>
        app.Use(next => context =>
        {
            if (context.Request.ContentLength > context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize)
            {
                context.Response.Headers[HeaderNames.Connection] = "close";
            }

            return next(context);
        });
}
