using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using ServiceDefaults.Authorization;
using TokenService.Clients;
using TokenService.Keys;
using TokenService.RefreshTokens;

namespace TokenService.Tokens;

/// <summary>
/// RFC 7662 token introspection for confidential clients (resource servers that prefer asking to verifying).
/// Access tokens are checked like any validator would; a refresh token is described only to the client it
/// belongs to. Anything else is <c>{"active":false}</c>.
/// </summary>
public static class IntrospectionEndpoint
{
    public const string Path = "/connect/introspect";

    private static readonly JsonWebTokenHandler Handler = new();

    private static readonly JsonSerializerOptions AnswerSerialization = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static IEndpointRouteBuilder MapTokenIntrospection(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Path, IntrospectAsync)
            .AllowAnonymous()
            .DisableAntiforgery()
            .WithMetadata(new RequestSizeLimitAttribute(TokenRequest.MaximumRequestBytes));
        return endpoints;
    }

    private static async Task<IResult> IntrospectAsync(
        HttpContext context, ClientAuthenticator authenticator, RefreshTokenService sessions, SigningKeyRing ring,
        TimeProvider time, IOptions<TokenOptions> options, CancellationToken cancellationToken)
    {
        var (request, client, error) = await authenticator.ReadAndAuthenticateAsync(context.Request, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        if (!client!.IsConfidential)
        {
            return new OAuthErrorResult(OAuthErrors.InvalidClient, "Only confidential clients may introspect tokens.", StatusCodes.Status401Unauthorized);
        }

        if (request!["token"] is not { } token)
        {
            return TokenRequest.Invalid("token is required.");
        }

        OAuthHeaders.ApplyNoStore(context.Response);
        var hint = request["token_type_hint"];
        var answer = hint == RefreshTokenGrantName
            ? await DescribeRefreshTokenAsync(token, client, sessions, cancellationToken).ConfigureAwait(false)
              ?? await DescribeAccessTokenAsync(token, ring, time, options.Value.Issuer).ConfigureAwait(false)
            : await DescribeAccessTokenAsync(token, ring, time, options.Value.Issuer).ConfigureAwait(false)
              ?? await DescribeRefreshTokenAsync(token, client, sessions, cancellationToken).ConfigureAwait(false);
        return TypedResults.Json(answer ?? Introspection.Inactive, AnswerSerialization);
    }

    private const string RefreshTokenGrantName = "refresh_token";

    private static async Task<Introspection?> DescribeAccessTokenAsync(string token, SigningKeyRing ring, TimeProvider time, string issuer)
    {
        var result = await Handler.ValidateTokenAsync(token, SelfIssuedTokens.ValidationParameters(ring, time, issuer, audience: null)).ConfigureAwait(false);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return null;
        }

        return new Introspection(true)
        {
            TokenType = "access_token",
            Subject = jwt.Subject,
            ClientId = Claim(jwt, AccessTokenClaims.ClientId),
            Scope = Claim(jwt, AccessTokenClaims.Scope),
            Audience = [.. jwt.Audiences],
            Issuer = jwt.Issuer,
            IssuedAt = new DateTimeOffset(jwt.IssuedAt).ToUnixTimeSeconds(),
            ExpiresAt = new DateTimeOffset(jwt.ValidTo).ToUnixTimeSeconds(),
            JwtId = jwt.Id,
            SessionId = Claim(jwt, AccessTokenClaims.SessionId),
        };
    }

    private static async Task<Introspection?> DescribeRefreshTokenAsync(string token, Client client, RefreshTokenService sessions, CancellationToken cancellationToken)
    {
        var live = await sessions.DescribeLiveTokenAsync(token, client, cancellationToken).ConfigureAwait(false);
        return live is null ? null : new Introspection(true)
        {
            TokenType = "refresh_token",
            Subject = live.UserId.ToString(),
            ClientId = live.ClientId,
            Scope = live.Scopes.Count > 0 ? string.Join(' ', live.Scopes) : null,
            IssuedAt = live.CreatedAt.ToUnixTimeSeconds(),
            ExpiresAt = live.ExpiresAt.ToUnixTimeSeconds(),
            SessionId = live.SessionId.ToString(),
        };
    }

    private static string? Claim(JsonWebToken token, string type) => token.TryGetClaim(type, out var claim) ? claim.Value : null;

    private sealed record Introspection([property: JsonPropertyName("active")] bool Active)
    {
        public static readonly Introspection Inactive = new(false);

        [JsonPropertyName("token_type")]
        public string? TokenType { get; init; }

        [JsonPropertyName("sub")]
        public string? Subject { get; init; }

        [JsonPropertyName("client_id")]
        public string? ClientId { get; init; }

        [JsonPropertyName("scope")]
        public string? Scope { get; init; }

        [JsonPropertyName("aud")]
        public IReadOnlyList<string>? Audience { get; init; }

        [JsonPropertyName("iss")]
        public string? Issuer { get; init; }

        [JsonPropertyName("iat")]
        public long? IssuedAt { get; init; }

        [JsonPropertyName("exp")]
        public long? ExpiresAt { get; init; }

        [JsonPropertyName("jti")]
        public string? JwtId { get; init; }

        [JsonPropertyName("sid")]
        public string? SessionId { get; init; }
    }
}
