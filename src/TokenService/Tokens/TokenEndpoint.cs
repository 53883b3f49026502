using Microsoft.AspNetCore.Mvc;
using TokenService.Accounts;
using TokenService.Clients;
using TokenService.Tokens.Grants;

namespace TokenService.Tokens;

public static class TokenEndpoint
{
    public const string Path = "/connect/token";

    public static IHostApplicationBuilder AddTokenIssuance(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<TokenOptions>().BindConfiguration(TokenOptions.SectionName)
            .Validate(o => Uri.TryCreate(o.Issuer, UriKind.Absolute, out _), "Tokens:Issuer must be an absolute URL.")
            .Validate(o => o.AccessTokenLifetime > TimeSpan.Zero && o.AccessTokenLifetime <= TokenOptions.MaximumAccessTokenLifetime,
                "Tokens:AccessTokenLifetime must be positive and at most 1 hour.")
            .ValidateOnStart();
        services.AddSingleton<AccessTokenIssuer>();
        services.AddScoped<PasswordLogin>();
        services.AddScoped<IGrantHandler, PasswordGrantHandler>();
        services.AddScoped<IGrantHandler, ClientCredentialsGrantHandler>();
        services.AddScoped<IGrantHandler, RefreshTokenGrantHandler>();
        services.AddScoped<UserTokens>();
        return builder;
    }

    /// <summary>The OAuth 2.0 token endpoint (RFC 6749 §3.2): form in, JSON out, RFC 6749 errors.</summary>
    public static IEndpointRouteBuilder MapTokenEndpoint(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Path, HandleAsync)
            .AllowAnonymous()
            .DisableAntiforgery()
            .WithMetadata(new RequestSizeLimitAttribute(TokenRequest.MaximumRequestBytes));
        return endpoints;
    }

    private static async Task<IResult> HandleAsync(
        HttpContext context, ClientAuthenticator authenticator, IEnumerable<IGrantHandler> grants, CancellationToken cancellationToken)
    {
        var (request, error) = await TokenRequest.ReadAsync(context.Request, cancellationToken).ConfigureAwait(false);
        if (error is not null)
        {
            return error;
        }

        if (string.IsNullOrEmpty(request!.GrantType))
        {
            return TokenRequest.Invalid("grant_type is required.");
        }

        var grant = grants.FirstOrDefault(g => g.GrantType == request.GrantType);
        if (grant is null)
        {
            return new OAuthErrorResult(OAuthErrors.UnsupportedGrantType, "The grant type is not supported.");
        }

        using var admission = grant.Admit();
        var (client, clientError) = await authenticator.AuthenticateAsync(context.Request, request, cancellationToken).ConfigureAwait(false);
        if (clientError is not null)
        {
            return clientError;
        }

        if (!client!.AllowedGrantTypes.Contains(grant.PermittedBy, StringComparer.Ordinal))
        {
            return new OAuthErrorResult(OAuthErrors.UnauthorizedClient, "The client may not use this grant type.");
        }

        return await grant.HandleAsync(request, client, cancellationToken).ConfigureAwait(false);
    }
}
