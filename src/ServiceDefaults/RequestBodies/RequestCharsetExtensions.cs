using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Net.Http.Headers;

namespace ServiceDefaults.RequestBodies;

public static class RequestCharsetExtensions
{
    /// <summary>
    /// Answers 415 to a request for an endpoint that reads a body when its <c>Content-Type</c> names a charset this
    /// process cannot decode (<c>charset=utf-7</c>, which .NET refuses, or a made-up name). Left alone, the framework's
    /// JSON binding throws an <see cref="InvalidOperationException"/> for it, which would be a 500 for the client's error.
    /// </summary>
    public static IApplicationBuilder UseDecodableRequestCharsets(this IApplicationBuilder app) =>
        app.Use(next => context =>
        {
            if (context.Request.ContentType is { } contentType
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
