using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using TokenService.Keys;
using TokenService.Tokens;
using TokenService.Tokens.Grants;

namespace TokenService.Discovery;

public static class DiscoveryEndpoints
{
    /// <summary>
    /// Serves the server metadata (RFC 8414) at the OpenID Connect discovery path, which JwtBearer and other
    /// validators read, and at the RFC 8414 path. Endpoint URLs are built from the address the caller used, so
    /// a service inside the cluster is pointed at the in-cluster JWKS; <c>issuer</c> is always the configured one.
    /// </summary>
    public static IEndpointRouteBuilder MapDiscovery(this IEndpointRouteBuilder endpoints)
    {
        var wellKnown = endpoints.MapGroup("/.well-known").AllowAnonymous();
        wellKnown.MapGet("/openid-configuration", Metadata);
        wellKnown.MapGet("/oauth-authorization-server", Metadata);
        return endpoints;
    }

    private static JsonHttpResult<ServerMetadata> Metadata(HttpContext context, IOptions<TokenOptions> options, IEnumerable<IGrantHandler> grants)
    {
        var request = context.Request;
        var baseUrl = $"{request.Scheme}://{request.Host}{request.PathBase}";
        context.Response.Headers.CacheControl = KeysExtensions.PublicDocumentCacheControl;
        return TypedResults.Json(new ServerMetadata(
            Issuer: options.Value.Issuer,
            TokenEndpoint: baseUrl + TokenEndpoint.Path,
            JwksUri: baseUrl + KeysExtensions.JwksPath,
            GrantTypesSupported: [.. grants.Select(g => g.GrantType).Order(StringComparer.Ordinal)],
            TokenEndpointAuthMethodsSupported: ["client_secret_basic", "client_secret_post", "none"]));
    }

    private sealed record ServerMetadata(
        [property: JsonPropertyName("issuer")] string Issuer,
        [property: JsonPropertyName("token_endpoint")] string TokenEndpoint,
        [property: JsonPropertyName("jwks_uri")] string JwksUri,
        [property: JsonPropertyName("grant_types_supported")] IReadOnlyList<string> GrantTypesSupported,
        [property: JsonPropertyName("token_endpoint_auth_methods_supported")] IReadOnlyList<string> TokenEndpointAuthMethodsSupported);
}
