using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;

namespace ServiceDefaults.RequestBodies;

public static class RequestBodyExtensions
{
    /// <summary>
    /// Two guards for request bodies, after routing (so the endpoint's own body limit is known):
    /// <list type="bullet">
    /// <item>A request declaring a body larger than its endpoint accepts is answered with <c>Connection: close</c>.
    /// Such a body is refused when read (413), but a request answered without reading it (401, 404, a wrong content
    /// type) leaves Kestrel to drain it after the response, and draining past the limit closes the connection without
    /// notice: a proxy that already took the connection back into its pool then fails the next request it sends on
    /// it (a 502 at the gateway for some other caller).</item>
    /// <item>A request for an endpoint that reads a body, whose <c>Content-Type</c> names a charset this process cannot
    /// decode (<c>charset=utf-7</c>, which .NET refuses, or a made-up name), is answered 415. Left alone, the
    /// framework's JSON binding throws an <see cref="InvalidOperationException"/> for it: a 500 for the client's error.</item>
    /// </list>
    /// </summary>
    public static IApplicationBuilder UseRequestBodyGuards(this IApplicationBuilder app) =>
        app.Use(next => context =>
        {
            var request = context.Request;
            if (request.ContentLength > context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize)
            {
                context.Response.Headers[HeaderNames.Connection] = "close";
            }

            if (request.ContentType is { } contentType
                && context.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>() is not null
                && !IsDecodable(contentType))
            {
                context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
                return Task.CompletedTask;
            }

            return next(context);
        });

    /// <summary>Whether the charset a content type names (if any) is one <see cref="Encoding.GetEncoding(string)"/> knows, as the framework's body readers ask it.</summary>
    private static bool IsDecodable(string contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType) || !mediaType.Charset.HasValue
            || mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return true; // No charset (or an unparsable type): the endpoint's own content-type rules decide.
        }

        try
        {
            _ = Encoding.GetEncoding(mediaType.Charset.ToString());
            return true;
        }
        catch (Exception exception) when (exception is ArgumentException or NotSupportedException)
        {
            return false;
        }
    }
}
