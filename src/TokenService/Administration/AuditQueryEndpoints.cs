using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using ServiceDefaults.Authorization;
using TokenService.Api;
using TokenService.Audit;
using TokenService.Data;

namespace TokenService.Administration;

/// <summary>Read the audit log (permission <c>audit:read</c>): newest first, filtered by user, type and time, in pages.</summary>
public static class AuditQueryEndpoints
{
    public const string Permission = "audit:read";
    public const int MaximumPageSize = 200;

    public sealed record AuditPage(AuditEvent[] Events, int Page, int PageSize, bool HasMore);

    public static IEndpointRouteBuilder MapAuditQuery(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/admin/audit", QueryAsync).RequireAuthorization(policy => policy.RequirePermissions(Permission));
        return endpoints;
    }

    private static async Task<Results<Ok<AuditPage>, ProblemHttpResult>> QueryAsync(
        TokenDbContext database, CancellationToken cancellationToken,
        Guid? userId = null, string? type = null, DateTimeOffset? from = null, DateTimeOffset? to = null, int page = 1, int pageSize = 50)
    {
        if (page < 1 || pageSize is < 1 or > MaximumPageSize || type is { Length: > 64 } || (from > to))
        {
            return JsonBody.BadRequest($"page must be at least 1, pageSize between 1 and {MaximumPageSize}, type at most 64 characters, from before to.");
        }

        var events = database.AuditEvents.AsNoTracking();
        if (userId is { } user)
        {
            events = events.Where(e => e.UserId == user);
        }

        if (type is not null)
        {
            events = events.Where(e => e.Type == type);
        }

        if (from is { } start)
        {
            events = events.Where(e => e.OccurredAt >= start.ToUniversalTime());
        }

        if (to is { } end)
        {
            events = events.Where(e => e.OccurredAt < end.ToUniversalTime());
        }

        var rows = await events.OrderByDescending(e => e.Id).Skip((page - 1) * pageSize).Take(pageSize + 1)
            .ToArrayAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new AuditPage(rows.Take(pageSize).ToArray(), page, pageSize, rows.Length > pageSize));
    }
}
