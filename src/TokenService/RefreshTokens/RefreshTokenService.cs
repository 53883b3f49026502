using System.Linq.Expressions;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TokenService.Accounts;
using TokenService.Audit;
using TokenService.Clients;
using TokenService.Data;
using TokenService.Keys;
using TokenService.Tokens;
using TokenService.Tokens.Grants;

namespace TokenService.RefreshTokens;

public sealed record LiveRefreshToken(Guid SessionId, Guid UserId, string ClientId, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

/// <summary>
/// The stateful half of the token lifecycle: sessions (refresh-token families) started at sign-in, refresh tokens
/// rotated on every use with reuse detection and an idempotent grace window, and revocation.
/// Single use is enforced by one conditional UPDATE per refresh (<c>... WHERE "Id" = @id AND "ConsumedAt" IS NULL</c>,
/// the token's concurrency check), never by check-then-write (design notes).
/// </summary>
internal sealed partial class RefreshTokenService(
    TokenDbContext database,
    RefreshTokenQueries queries,
    AccessTokenIssuer issuer,
    KeyEncryption sealer,
    AuditLog audit,
    RefreshTokenMetrics metrics,
    TimeProvider time,
    IHttpContextAccessor httpContextAccessor,
    IOptions<RefreshTokenOptions> options,
    ILogger<RefreshTokenService> logger)
{
    private static readonly OAuthErrorResult InvalidGrant = new(OAuthErrors.InvalidGrant, "The refresh token is invalid, expired or revoked.");

    /// <summary>Starts a session for a user who just signed in; returns its id (<c>sid</c>) and first refresh token. Saved with the caller's unit of work.</summary>
    public (Guid SessionId, string RefreshToken) StartSession(Guid userId, Client client, RequestedAccess access, IReadOnlyList<string> authenticationMethods)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(access);
        var now = time.GetUtcNow();
        var family = new RefreshTokenFamily
        {
            Id = Guid.NewGuid(),
            UserId = userId,
            ClientId = client.ClientId,
            Scopes = [.. access.Scopes],
            Audiences = [.. access.Audiences],
            AuthenticationMethods = [.. authenticationMethods],
            CreatedAt = now,
            LastUsedAt = now,
        };
        RecordDevice(family);
        database.RefreshTokenFamilies.Add(family);
        var (value, _) = AddToken(family, Guid.NewGuid(), now);
        audit.Record(AuditEventTypes.RefreshTokenIssued, userId, client.ClientId, family.Id);
        metrics.Issued();
        return (family.Id, value);
    }

    public async Task<IResult> RefreshAsync(TokenRequest request, Client client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(client);
        if (request["refresh_token"] is not { } presented)
        {
            return TokenRequest.Invalid("refresh_token is required.");
        }

        if (!RefreshTokenValues.TryHash(presented, out var hash))
        {
            metrics.Refused("malformed");
            return InvalidGrant;
        }

        // One connection for the whole grant (its reads, then its writes): one pool rent and one session reset, not three.
        await database.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await RedeemAsync(hash, request["scope"], client, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await database.Database.CloseConnectionAsync().ConfigureAwait(false);
        }
    }

    private async Task<IResult> RedeemAsync(byte[] hash, string? requestedScope, Client client, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var token = await queries.FindTokenWithFamily(database, hash, cancellationToken).ConfigureAwait(false);
        if (token is not null && IsLive(token, client, now))
        {
            if (await TryRotateAsync(token, requestedScope, now, cancellationToken).ConfigureAwait(false) is { } rotated)
            {
                return rotated;
            }

            // Lost the race: another rotation (or a revocation) committed between our read and our write. Judge the
            // token again as it is now.
            database.ChangeTracker.Clear();
            token = await queries.FindTokenWithFamily(database, hash, cancellationToken).ConfigureAwait(false);
        }

        if (token is null)
        {
            return Refuse("unknown", null);
        }

        await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var result = await AnswerSpentTokenAsync(token, client, now, cancellationToken).ConfigureAwait(false);
        await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>Revokes one session of a user (logout); false if the user has no such live session.</summary>
    public async Task<bool> RevokeSessionAsync(Guid userId, Guid sessionId, string reason, CancellationToken cancellationToken)
    {
        var revoked = await Revoke(database.RefreshTokenFamilies.Where(f => f.Id == sessionId && f.UserId == userId), reason, cancellationToken)
            .ConfigureAwait(false);
        if (revoked > 0)
        {
            audit.Record(AuditEventTypes.SessionRevoked, userId, sessionId: sessionId, detail: reason);
            await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        return revoked > 0;
    }

    /// <summary>Revokes every live session of a user (logout everywhere, password change, disabling); returns how many.</summary>
    public async Task<int> RevokeAllSessionsAsync(Guid userId, string reason, CancellationToken cancellationToken)
    {
        var revoked = await Revoke(database.RefreshTokenFamilies.Where(f => f.UserId == userId), reason, cancellationToken).ConfigureAwait(false);
        audit.Record(AuditEventTypes.SessionRevoked, userId, detail: $"{reason}: {revoked} sessions");
        await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return revoked;
    }

    /// <summary>
    /// Revokes the live sessions of a client (disabled, deleted, or its allowance narrowed), all of them or those
    /// matching <paramref name="holding"/>; audited as one entry. Returns how many.
    /// </summary>
    public async Task<int> RevokeClientSessionsAsync(
        string clientId, string reason, Expression<Func<RefreshTokenFamily, bool>>? holding, CancellationToken cancellationToken)
    {
        var families = database.RefreshTokenFamilies.Where(f => f.ClientId == clientId);
        var revoked = await Revoke(holding is null ? families : families.Where(holding), reason, cancellationToken).ConfigureAwait(false);
        audit.Record(AuditEventTypes.SessionRevoked, clientId: clientId, detail: $"{reason}: {revoked} sessions");
        await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return revoked;
    }

    /// <summary>
    /// RFC 7009 revocation of a presented refresh token by its own client: ends its session. Unknown values and
    /// other clients' tokens change nothing (the endpoint answers 200 either way).
    /// </summary>
    public async Task RevokePresentedTokenAsync(string presented, Client client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!RefreshTokenValues.TryHash(presented, out var hash))
        {
            return;
        }

        var family = await database.RefreshTokens.AsNoTracking().Where(t => t.TokenHash == hash).Select(t => t.Family)
            .SingleOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        if (family is null || family.ClientId != client.ClientId)
        {
            return;
        }

        await RevokeSessionAsync(family.UserId, family.Id, "logout", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What introspection may tell about a live refresh token, to the client that owns it; null otherwise.</summary>
    public async Task<LiveRefreshToken?> DescribeLiveTokenAsync(string presented, Client client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        if (!RefreshTokenValues.TryHash(presented, out var hash))
        {
            return null;
        }

        var token = await queries.FindTokenWithFamily(database, hash, cancellationToken).ConfigureAwait(false);
        return token is not null && IsLive(token, client, time.GetUtcNow())
            ? new LiveRefreshToken(token.FamilyId, token.Family.UserId, token.Family.ClientId, token.Family.Scopes, token.CreatedAt, token.ExpiresAt)
            : null;
    }

    /// <summary>Whether <paramref name="token"/> (read with its family) may be redeemed by <paramref name="client"/> at <paramref name="now"/>.</summary>
    private bool IsLive(RefreshToken token, Client client, DateTimeOffset now) =>
        token.ConsumedAt is null && token.ExpiresAt > now && token.Family.ClientId == client.ClientId
        && token.Family.RevokedAt is null && token.Family.CreatedAt > now - options.Value.AbsoluteLifetime;

    /// <summary>
    /// Rotates a token read as live: signs the new access token, then consumes the token, stores its successor and
    /// the sealed grace response, touches the session and audits, in one batch in one transaction. The batch's
    /// UPDATEs carry the concurrency checks (<c>"ConsumedAt" IS NULL</c>, <c>"RevokedAt" IS NULL</c>): if another
    /// rotation or a revocation committed since the read, nothing is written and the answer is null.
    /// </summary>
    private async Task<IResult?> TryRotateAsync(RefreshToken token, string? requestedScope, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var family = token.Family;
        var scopes = requestedScope is null
            ? family.Scopes
            : [.. requestedScope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal)];
        if (scopes.Except(family.Scopes, StringComparer.Ordinal).Any())
        {
            return new OAuthErrorResult(OAuthErrors.InvalidScope, "A refresh cannot widen the scope granted at sign-in.");
        }

        // Rights and status are re-read at every refresh: a role change reaches the next access token, a disabled user gets nothing.
        var user = await queries.FindUserWithRights(database, family.UserId, cancellationToken).ConfigureAwait(false);
        if (user is null || user.IsDisabled)
        {
            family.RevokedAt = now;
            family.RevokedReason = "user_disabled";
            audit.Record(AuditEventTypes.SessionRevoked, family.UserId, family.ClientId, family.Id, "user_disabled");
            if (!await TrySaveAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            metrics.SessionsRevoked(1, "user_disabled");
            return InvalidGrant;
        }

        var rights = AuthenticatedUser.From(user);
        var accessToken = issuer.Issue(new AccessTokenSubject(
            user.Id.ToString(), family.ClientId, family.Audiences, scopes, rights.Roles, rights.Permissions,
            AuthenticatedAt: family.CreatedAt, AuthenticationMethods: family.AuthenticationMethods, SessionId: family.Id));
        var successorId = Guid.NewGuid();
        var (successorValue, successor) = AddToken(family, successorId, now);
        var response = TokenResponse.For(accessToken, scopes, successorValue);

        token.ConsumedAt = now;
        token.SuccessorId = successorId;
        if (options.Value.GracePeriod > TimeSpan.Zero)
        {
            token.GraceResponse = sealer.Seal(token.Id.ToString(), JsonSerializer.SerializeToUtf8Bytes(response));
        }

        family.LastUsedAt = now;
        RecordDevice(family);

        var rotated = audit.Record(AuditEventTypes.RefreshTokenRotated, family.UserId, family.ClientId, family.Id);
        if (!await TrySaveRotationAsync(token, successor, rotated, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        metrics.Rotated();
        return new TokenResponseResult(response);
    }

    /// <summary>
    /// Writes a rotation: the session touched (if not revoked), the token consumed (if not consumed), and only then
    /// the successor and the audit entry; false, with no successor and no audit entry written, if another rotation
    /// or a revocation committed since the read. On PostgreSQL one statement, so one round trip with no BEGIN and
    /// COMMIT around it: each data-modifying CTE acts only if the one before returned its row (the session's UPDATE
    /// locks the session row first, as EF Core's batch did, and a row changed under a waiting UPDATE is judged again
    /// as committed); a rotation that lost the token to another one has still touched the session, which that
    /// presentation did use. On SQLite EF Core's batch in a transaction, all or nothing by the concurrency checks on
    /// "RevokedAt" and "ConsumedAt".
    /// </summary>
    private async Task<bool> TrySaveRotationAsync(RefreshToken token, RefreshToken successor, AuditEvent rotated, CancellationToken cancellationToken)
    {
        var family = token.Family;
        if (database is not PostgresTokenDbContext)
        {
            // The session's UPDATE carries the "RevokedAt" IS NULL check, so it is written even when nothing in the row
            // changed (a refresh at the instant of the last use): EF Core leaves an unchanged entity out of the batch.
            database.Entry(family).Property(f => f.LastUsedAt).IsModified = true;
            return await TrySaveAsync(cancellationToken).ConfigureAwait(false);
        }

        var written = await database.Database.ExecuteSqlAsync(
            $"""
            WITH touched AS (
                UPDATE refresh_token_families
                SET "LastUsedAt" = {family.LastUsedAt}::timestamptz, "IpAddress" = {family.IpAddress}::text, "UserAgent" = {family.UserAgent}::text
                WHERE "Id" = {family.Id}::uuid AND "RevokedAt" IS NULL
                RETURNING "Id"),
            consumed AS (
                UPDATE refresh_tokens
                SET "ConsumedAt" = {token.ConsumedAt}::timestamptz, "SuccessorId" = {token.SuccessorId}::uuid, "GraceResponse" = {token.GraceResponse}::bytea
                WHERE "Id" = {token.Id}::uuid AND "ConsumedAt" IS NULL AND EXISTS (SELECT FROM touched)
                RETURNING "Id"),
            stored AS (
                INSERT INTO refresh_tokens ("Id", "FamilyId", "TokenHash", "CreatedAt", "ExpiresAt")
                SELECT {successor.Id}::uuid, {successor.FamilyId}::uuid, {successor.TokenHash}::bytea, {successor.CreatedAt}::timestamptz, {successor.ExpiresAt}::timestamptz
                WHERE EXISTS (SELECT FROM consumed)
                RETURNING "Id")
            INSERT INTO audit_events ("OccurredAt", "Type", "UserId", "ClientId", "SessionId", "IpAddress", "UserAgent", "Detail")
            SELECT {rotated.OccurredAt}::timestamptz, {rotated.Type}::text, {rotated.UserId}::uuid, {rotated.ClientId}::text,
                {rotated.SessionId}::uuid, {rotated.IpAddress}::text, {rotated.UserAgent}::text, {rotated.Detail}::text
            WHERE EXISTS (SELECT FROM stored)
            """, cancellationToken).ConfigureAwait(false);
        database.ChangeTracker.Clear();
        return written == 1;
    }

    /// <summary>Saves the unit of work; false, with nothing written, if a concurrency check found the row changed since it was read.</summary>
    private async Task<bool> TrySaveAsync(CancellationToken cancellationToken)
    {
        try
        {
            await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            return false;
        }
    }

    /// <summary>
    /// The token is not live (spent, expired, revoked, or another client's). Within the grace period, the immediate
    /// predecessor of the live token gets the same answer again; a spent token presented any other way is a theft
    /// signal and ends the session.
    /// </summary>
    private async Task<IResult> AnswerSpentTokenAsync(RefreshToken token, Client client, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var family = token.Family;
        if (family.RevokedAt is not null)
        {
            return Refuse("session_revoked", family);
        }

        if (family.ClientId != client.ClientId)
        {
            return await ReuseDetectedAsync(family, "wrong_client", client.ClientId, cancellationToken).ConfigureAwait(false);
        }

        if (token.ConsumedAt is not { } consumedAt)
        {
            return Refuse("expired", family);
        }

        if (now - consumedAt <= options.Value.GracePeriod && token.GraceResponse is { } sealedResponse && token.SuccessorId is { } successorId)
        {
            var successorLive = await database.RefreshTokens.AnyAsync(t => t.Id == successorId && t.ConsumedAt == null, cancellationToken).ConfigureAwait(false);
            if (successorLive)
            {
                var response = JsonSerializer.Deserialize<TokenResponse>(sealer.Open(token.Id.ToString(), sealedResponse))!;
                audit.Record(AuditEventTypes.RefreshRetriedWithinGrace, family.UserId, family.ClientId, family.Id);
                metrics.RetriedWithinGrace();
                return new TokenResponseResult(response);
            }
        }

        return await ReuseDetectedAsync(family, "reuse_detected", client.ClientId, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IResult> ReuseDetectedAsync(RefreshTokenFamily family, string reason, string presentingClient, CancellationToken cancellationToken)
    {
        await Revoke(database.RefreshTokenFamilies.Where(f => f.Id == family.Id), reason, cancellationToken).ConfigureAwait(false);
        audit.Record(AuditEventTypes.RefreshTokenReuseDetected, family.UserId, presentingClient, family.Id, reason);
        metrics.ReuseDetected();
        LogReuseDetected(logger, family.Id, family.UserId, reason);
        return InvalidGrant;
    }

    private OAuthErrorResult Refuse(string reason, RefreshTokenFamily? family)
    {
        metrics.Refused(reason);
        if (family is not null)
        {
            audit.Record(AuditEventTypes.RefreshTokenRefused, family.UserId, family.ClientId, family.Id, reason);
        }

        return InvalidGrant;
    }

    private async Task<int> Revoke(IQueryable<RefreshTokenFamily> families, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var revoked = await families.Where(f => f.RevokedAt == null)
            .ExecuteUpdateAsync(f => f.SetProperty(x => x.RevokedAt, now).SetProperty(x => x.RevokedReason, reason), cancellationToken)
            .ConfigureAwait(false);
        metrics.SessionsRevoked(revoked, reason);

        return revoked;
    }

    private (string Value, RefreshToken Token) AddToken(RefreshTokenFamily family, Guid id, DateTimeOffset now)
    {
        var settings = options.Value;
        var (value, hash) = RefreshTokenValues.Create();
        var idleExpiry = now + settings.IdleLifetime;
        var absoluteExpiry = family.CreatedAt + settings.AbsoluteLifetime;
        var token = new RefreshToken
        {
            Id = id,
            FamilyId = family.Id,
            TokenHash = hash,
            CreatedAt = now,
            ExpiresAt = idleExpiry < absoluteExpiry ? idleExpiry : absoluteExpiry,
        };
        database.RefreshTokens.Add(token);
        return (value, token);
    }

    private void RecordDevice(RefreshTokenFamily family)
    {
        var context = httpContextAccessor.HttpContext;
        family.IpAddress = context?.Connection.RemoteIpAddress?.ToString();
        family.UserAgent = AuditLog.Truncate(context?.Request.Headers.UserAgent.ToString());
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning,
        Message = "Refresh token reuse detected ({Reason}): session {SessionId} of user {UserId} revoked.")]
    private static partial void LogReuseDetected(ILogger logger, Guid sessionId, Guid userId, string reason);
}
