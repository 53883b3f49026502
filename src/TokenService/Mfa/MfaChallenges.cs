using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using TokenService.Audit;
using TokenService.Clients;
using TokenService.Data;
using TokenService.RefreshTokens;
using TokenService.Tokens;
using TokenService.Tokens.Grants;

namespace TokenService.Mfa;

/// <summary>Issues the <c>mfa_token</c> a correct password of a user with MFA earns instead of tokens.</summary>
internal sealed class MfaChallenges(TokenDbContext database, AuditLog audit, TimeProvider time, IOptions<MfaOptions> options)
{
    public async Task<IResult> IssueAsync(Guid userId, Client client, RequestedAccess access, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(access);
        var now = time.GetUtcNow();

        // Expired challenges are useless: each new one sweeps them away (one short indexed DELETE).
        await database.MfaChallenges.Where(c => c.ExpiresAt < now).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);

        // Same opaque format as refresh tokens: 256 random bits, stored only as SHA-256.
        var (value, hash) = RefreshTokenValues.Create();
        database.MfaChallenges.Add(new MfaChallenge
        {
            Id = Guid.NewGuid(),
            TokenHash = hash,
            UserId = userId,
            ClientId = client.ClientId,
            Scopes = [.. access.Scopes],
            Audiences = [.. access.Audiences],
            CreatedAt = now,
            ExpiresAt = now + options.Value.ChallengeLifetime,
        });
        audit.Record(AuditEventTypes.MfaChallengeIssued, userId, client.ClientId);
        await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return new MfaRequiredResult(value);
    }
}

/// <summary>
/// The token endpoint's answer to a correct password when a second factor is needed: HTTP 403 with an
/// RFC 6749-shaped body, <c>{"error":"mfa_required","error_description":…,"mfa_token":…}</c>, uncacheable.
/// </summary>
public sealed class MfaRequiredResult(string mfaToken) : IResult, IStatusCodeHttpResult
{
    public const string Error = "mfa_required";

    public int? StatusCode => StatusCodes.Status403Forbidden;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = StatusCodes.Status403Forbidden;
        OAuthHeaders.ApplyNoStore(httpContext.Response);
        return httpContext.Response.WriteAsJsonAsync(new Body(Error, "A second factor is required: send the mfa_token with a code to complete the sign-in.", mfaToken));
    }

    private sealed record Body(
        [property: JsonPropertyName("error")] string Error,
        [property: JsonPropertyName("error_description")] string Description,
        [property: JsonPropertyName("mfa_token")] string MfaToken);
}
