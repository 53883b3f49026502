using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using ServiceDefaults.Authorization;
using TokenService.Data;

namespace TokenService.Keys;

/// <summary>Operators see the key timeline, rotate on demand and revoke a compromised key (permission <c>keys:manage</c>).</summary>
public static class KeyAdministrationEndpoints
{
    public const string Permission = "keys:manage";

    public static IEndpointRouteBuilder MapKeyAdministration(this IEndpointRouteBuilder endpoints)
    {
        var keys = endpoints.MapGroup("/admin/keys").RequireAuthorization(policy => policy.RequirePermissions(Permission));
        keys.MapGet("/", ListAsync);
        keys.MapPost("/rotate", RotateAsync);
        keys.MapPost("/{keyId}/revoke", RevokeAsync);
        return keys;
    }

    public sealed record KeyView(string KeyId, int Generation, DateTimeOffset CreatedAt, DateTimeOffset ActivatesAt, DateTimeOffset? RetiresAt, string State);

    private static async Task<Ok<KeyView[]>> ListAsync(TokenDbContext database, SigningKeyRing ring, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var active = ring.Active(now)?.KeyId;
        var keys = await database.SigningKeys.AsNoTracking().OrderBy(k => k.Generation).ToListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(keys.Select(k => new KeyView(k.KeyId, k.Generation, k.CreatedAt, k.ActivatesAt, k.RetiresAt,
            k.RetiresAt <= now ? "retired" : k.KeyId == active ? "active" : k.ActivatesAt > now ? "pending" : "retiring")).ToArray());
    }

    private static async Task<Results<Accepted<KeyView>, ProblemHttpResult>> RotateAsync(
        SigningKeyStore store, SigningKeyManager manager, CancellationToken cancellationToken)
    {
        var key = await store.RotateAsync(cancellationToken).ConfigureAwait(false);
        if (key is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "A new key is already pending activation.");
        }

        await manager.MaintainAndReloadAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Accepted("/admin/keys", new KeyView(key.KeyId, key.Generation, key.CreatedAt, key.ActivatesAt, null, "pending"));
    }

    private static async Task<Results<NoContent, NotFound>> RevokeAsync(
        string keyId, SigningKeyStore store, SigningKeyManager manager, CancellationToken cancellationToken)
    {
        if (!await store.RevokeAsync(keyId, cancellationToken).ConfigureAwait(false))
        {
            return TypedResults.NotFound();
        }

        await manager.MaintainAndReloadAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.NoContent();
    }
}
