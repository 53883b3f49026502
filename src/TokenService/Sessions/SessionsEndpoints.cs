using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ServiceDefaults.Authorization;
using TokenService.Data;
using TokenService.IdentityApi;
using TokenService.RefreshTokens;

namespace TokenService.Sessions;

/// <summary>
/// The signed-in user's sessions (one per sign-in on a device): list them, end one, end all ("log out
/// everywhere"). Ending a session revokes its refresh tokens at once; its access tokens expire on their own.
/// </summary>
public static class SessionsEndpoints
{
    public static IEndpointRouteBuilder MapSessions(this IEndpointRouteBuilder endpoints)
    {
        var sessions = endpoints.MapGroup("/account/sessions").RequireAuthorization();
        sessions.MapGet("/", ListAsync);
        sessions.MapDelete("/{id:guid}", RevokeAsync);
        sessions.MapDelete("/", RevokeAllAsync);
        return endpoints;
    }

    public sealed record SessionView(Guid Id, string ClientId, DateTimeOffset CreatedAt, DateTimeOffset LastUsedAt, string? IpAddress, string? UserAgent, bool Current);

    private static async Task<Results<Ok<SessionView[]>, ForbidHttpResult>> ListAsync(
        ClaimsPrincipal user, TokenDbContext database, TimeProvider time, IOptions<RefreshTokenOptions> options, CancellationToken cancellationToken)
    {
        if (user.UserId() is not { } userId)
        {
            return TypedResults.Forbid();
        }

        var absoluteCutoff = time.GetUtcNow() - options.Value.AbsoluteLifetime;
        var current = user.FindFirstValue(AccessTokenClaims.SessionId);
        var families = await database.RefreshTokenFamilies.AsNoTracking()
            .Where(f => f.UserId == userId && f.RevokedAt == null && f.CreatedAt > absoluteCutoff)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(families.OrderByDescending(f => f.LastUsedAt)
            .Select(f => new SessionView(f.Id, f.ClientId, f.CreatedAt, f.LastUsedAt, f.IpAddress, f.UserAgent, f.Id.ToString() == current))
            .ToArray());
    }

    private static async Task<Results<NoContent, NotFound, ForbidHttpResult>> RevokeAsync(
        Guid id, ClaimsPrincipal user, RefreshTokenService sessions, CancellationToken cancellationToken)
    {
        if (user.UserId() is not { } userId)
        {
            return TypedResults.Forbid();
        }

        // Another user's session answers 404 like a missing one.
        return await sessions.RevokeSessionAsync(userId, id, "logout", cancellationToken).ConfigureAwait(false)
            ? TypedResults.NoContent()
            : TypedResults.NotFound();
    }

    private static async Task<Results<Ok<RevokedSessions>, ForbidHttpResult>> RevokeAllAsync(
        ClaimsPrincipal user, RefreshTokenService sessions, CancellationToken cancellationToken)
    {
        if (user.UserId() is not { } userId)
        {
            return TypedResults.Forbid();
        }

        var revoked = await sessions.RevokeAllSessionsAsync(userId, "logout_everywhere", cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new RevokedSessions(revoked));
    }

    public sealed record RevokedSessions(int Revoked);
}
