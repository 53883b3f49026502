using Microsoft.AspNetCore.Mvc;
using TokenService.Clients;
using TokenService.Tokens;

namespace TokenService.RefreshTokens;

public static class RefreshTokensExtensions
{
    public const string RevocationPath = "/connect/revoke";

    public static IHostApplicationBuilder AddRefreshTokens(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<RefreshTokenOptions>().BindConfiguration(RefreshTokenOptions.SectionName)
            .Validate(o => o.AbsoluteLifetime > TimeSpan.Zero && o.IdleLifetime > TimeSpan.Zero && o.IdleLifetime <= o.AbsoluteLifetime,
                "RefreshTokens:IdleLifetime must be positive and at most AbsoluteLifetime.")
            .Validate(o => o.GracePeriod >= TimeSpan.Zero && o.GracePeriod <= RefreshTokenOptions.MaximumGracePeriod,
                "RefreshTokens:GracePeriod must be between 0 and 2 minutes.")
            .Validate(o => o.CleanupInterval > TimeSpan.Zero && o.RetainEndedSessionsFor >= TimeSpan.Zero,
                "RefreshTokens:CleanupInterval must be positive and RetainEndedSessionsFor not negative.")
            .ValidateOnStart();
        builder.Services.AddSingleton<RefreshTokenMetrics>();
        builder.Services.AddSingleton<RefreshTokenQueries>();
        builder.Services.AddScoped<RefreshTokenService>();
        builder.Services.AddHostedService<RefreshTokenCleanup>();
        return builder;
    }

    /// <summary>
    /// RFC 7009 token revocation: a client ends the session of one of its refresh tokens (logout). Access tokens are
    /// short-lived and stateless and cannot be revoked; like unknown values they are answered 200 as the RFC asks.
    /// </summary>
    public static IEndpointRouteBuilder MapTokenRevocation(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(RevocationPath, RevokeAsync)
            .AllowAnonymous()
            .DisableAntiforgery()
            .WithMetadata(new RequestSizeLimitAttribute(TokenRequest.MaximumRequestBytes));
        return endpoints;
    }

    private static async Task<IResult> RevokeAsync(
        HttpContext context, ClientAuthenticator authenticator, RefreshTokenService sessions, CancellationToken cancellationToken)
    {
        var (request, client, error) = await authenticator.ReadAndAuthenticateAsync(context.Request, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        if (string.IsNullOrEmpty(request!["token"]))
        {
            return TokenRequest.Invalid("token is required.");
        }

        await sessions.RevokePresentedTokenAsync(request["token"]!, client!, cancellationToken).ConfigureAwait(false);
        OAuthHeaders.ApplyNoStore(context.Response);
        return TypedResults.Ok();
    }
}
