using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using ServiceDefaults.Authorization;
using ServiceDefaults.Configuration;
using ServiceDefaults.Health;

namespace ServiceDefaults.TokenVerification;

public static class TokenVerificationExtensions
{
    /// <summary>The access-token type (RFC 9068) every resource server insists on.</summary>
    public const string AccessTokenType = "at+jwt";

    /// <summary>How long one discovery or JWKS request may take before the fetch counts as failed.</summary>
    private static readonly TimeSpan KeySetFetchTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Verifies bearer access tokens by itself: RS256 signature from a key in the token service's JWKS (found
    /// through discovery), exact issuer, one of this process's audiences, lifetime, <c>typ: at+jwt</c>.
    /// Missing or bad tokens get 401 with an RFC 6750 challenge; tokens lacking a permission get 403 with
    /// <c>error="insufficient_scope"</c>.
    /// </summary>
    public static IHostApplicationBuilder AddAccessTokenVerification(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddSingleton<IValidateOptions<TokenVerificationOptions>, TokenVerificationOptionsValidator>();
        // Read at start (JwtBearer's parameters and key-set schedule are built once): a change is logged, not applied.
        services.AddReloadableOptions<TokenVerificationOptions>(TokenVerificationOptions.SectionName, static (section, options) => section.Bind(options), appliesWithoutRestart: false);

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddHttpClient(KeySetDocumentRetriever.HttpClientName, client => client.Timeout = KeySetFetchTimeout);
        services.AddSingleton<TokenVerificationMetrics>();
        services.AddSingleton<UnknownKeyIds>();
        services.AddSingleton<KeySetRetriever>();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<TokenVerificationOptions>, TokenVerificationMetrics, TimeProvider>((jwt, verification, metrics, time) =>
                ConfigureJwtBearer(jwt, verification.Value, metrics, time))
            // After the above, which sets the metadata address.
            .Configure<IOptions<TokenVerificationOptions>, KeySetRetriever, IHttpClientFactory, UnknownKeyIds>(
                (jwt, verification, retriever, clients, unknownKeyIds) =>
            {
                jwt.ConfigurationManager = new KeySet(
                    new ConfigurationManager<OpenIdConnectConfiguration>(
                        jwt.MetadataAddress, retriever, new KeySetDocumentRetriever(clients, jwt.RequireHttpsMetadata))
                    {
                        // KeySetRefresher keeps the schedule on the app's clock; this is the manager's own, which
                        // cannot be shorter than 5 minutes.
                        AutomaticRefreshInterval = TimeSpan.FromTicks(Math.Max(
                            verification.Value.KeyRefreshInterval.Ticks, BaseConfigurationManager.MinimumAutomaticRefreshInterval.Ticks)),
                        RefreshInterval = verification.Value.MinimumKeyRefreshInterval,
                        // Off: with it, a token whose kid has left the key set is retried against the "last known good"
                        // key set for an hour, so a withdrawn (even revoked) key would keep validating. A failed fetch
                        // already keeps the current keys in use.
                        UseLastKnownGoodConfiguration = false,
                    },
                    unknownKeyIds);
                // Unknown kids ask through KeySet.RequestRefreshFor (OnAuthenticationFailed), per kid.
                jwt.RefreshOnIssuerKeyNotFound = false;
            });

        services.AddHostedService<KeySetWarmUp>();
        services.AddHostedService<KeySetRefresher>();
        services.AddHealthChecks().AddCheck<SigningKeysHealthCheck>("signing-keys", tags: [HealthExtensions.ReadyTag]);
        return builder;
    }

    private static void ConfigureJwtBearer(JwtBearerOptions jwt, TokenVerificationOptions verification, TokenVerificationMetrics metrics, TimeProvider time)
    {
        var authority = verification.Authority!.AbsoluteUri.TrimEnd('/');
        jwt.MetadataAddress = $"{authority}/.well-known/openid-configuration";
        jwt.RequireHttpsMetadata = !verification.AllowInsecureHttpMetadata;
        jwt.MapInboundClaims = false;
        // Off (JwtBearer's default is on): nothing reads the token back from the authentication properties (the
        // Authorization header still carries it), and storing it costs allocations on every request.
        jwt.SaveToken = false;
        // Challenges say only error="invalid_token": why a token failed is logged, not told to the caller.
        jwt.IncludeErrorDetails = false;
        jwt.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = verification.Issuer,
            ValidAudiences = [.. verification.Audiences],
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            ValidTypes = [AccessTokenType],
            ClockSkew = verification.ClockSkew,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            RequireAudience = true,
            ValidateIssuerSigningKey = true,
            TryAllIssuerSigningKeys = false,
            NameClaimType = AccessTokenClaims.Subject,
            RoleClaimType = AccessTokenClaims.Roles,
        };
        CachingTokenHandler? cache = null;
        if (verification.ValidatedTokenCacheSize > 0)
        {
            cache = new CachingTokenHandler(verification.ValidatedTokenCacheSize, time);
            jwt.TokenHandlers.Clear();
            jwt.TokenHandlers.Add(cache);
            metrics.ObserveCache(cache);
        }

        jwt.Events = new JwtBearerEvents
        {
            OnMessageReceived = context => cache is null ? Task.CompletedTask : AuthenticateRememberedAsync(context, cache),
            OnAuthenticationFailed = context =>
            {
                metrics.Refused(TokenFailureReasons.Of(context.Exception));
                if (context.Exception is SecurityTokenSignatureKeyNotFoundException && context.Options.ConfigurationManager is KeySet keySet)
                {
                    keySet.RequestRefreshFor(KeyIdOf(context.Request));
                }

                return Task.CompletedTask;
            },
            OnChallenge = context =>
            {
                if (!BearerChallenges.MarkInvalidToken(context))
                {
                    metrics.Refused(TokenFailureReasons.MissingToken);
                }

                return Task.CompletedTask;
            },
            OnTokenValidated = context => RejectKeyReferencingHeaders(context, metrics),
            OnForbidden = context =>
            {
                metrics.Refused(TokenFailureReasons.InsufficientScope);
                BearerChallenges.MarkInsufficientScope(context);
                return Task.CompletedTask;
            },
        };
    }

    /// <summary>
    /// A token the cache remembers for the current key set and within its lifetime authenticates the request here, and
    /// JwtBearer skips its own work for it (a copy of the validation parameters, the token's substring, the ticket's
    /// dates: most of what a hit still cost). Everything else goes on to JwtBearer and its full validation.
    /// </summary>
    private static async Task AuthenticateRememberedAsync(MessageReceivedContext context, CachingTokenHandler cache)
    {
        if (BearerToken(context.Request) is not { IsEmpty: false } token || context.Options.ConfigurationManager is not { } keySet)
        {
            return;
        }

        // The same read JwtBearer makes (it is served from memory), so the entry is judged against the keys in use now.
        var configuration = await keySet.GetConfigurationAsync(context.HttpContext.RequestAborted).ConfigureAwait(false);
        if (cache.RememberedIdentity(token.Span, configuration.SigningKeys, context.Options.TokenValidationParameters.ClockSkew) is { } identity)
        {
            context.Principal = new ClaimsPrincipal(identity);
            context.Success();
        }
    }

    private static Task RejectKeyReferencingHeaders(TokenValidatedContext context, TokenVerificationMetrics metrics)
    {
        if (context.SecurityToken is JsonWebToken token && KeyReferencingHeaders.CarriedBy(token))
        {
            metrics.Refused(TokenFailureReasons.KeyReferencingHeader);
            context.Fail("The token carries a key-referencing or critical header parameter.");
        }

        return Task.CompletedTask;
    }

    private static readonly JsonWebTokenHandler TokenReader = new();

    /// <summary>The <c>kid</c> of the bearer token in the <c>Authorization</c> header (the only place tokens are read from).</summary>
    private static string? KeyIdOf(HttpRequest request)
    {
        var token = BearerToken(request).ToString();
        return TokenReader.CanReadToken(token) ? TokenReader.ReadJsonWebToken(token).Kid : null;
    }

    /// <summary>
    /// The token of a single <c>Authorization: Bearer</c> header, trimmed, as JwtBearer reads it, without copying it;
    /// empty when there is none (or more than one header).
    /// </summary>
    private static ReadOnlyMemory<char> BearerToken(HttpRequest request)
    {
        const string Scheme = "Bearer ";
        var authorization = request.Headers.Authorization;
        return authorization.Count == 1 && authorization[0] is { } value && value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            ? value.AsMemory(Scheme.Length).Trim()
            : ReadOnlyMemory<char>.Empty;
    }

    /// <summary>The configuration manager JwtBearer built for the default scheme (after post-configuration).</summary>
    internal static KeySet? KeySet(this IOptionsMonitor<JwtBearerOptions> options) =>
        options.Get(JwtBearerDefaults.AuthenticationScheme).ConfigurationManager as KeySet;
}
