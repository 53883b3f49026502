using Microsoft.EntityFrameworkCore;
using TokenService.Data;
using TokenService.Keys;

namespace TokenService.Mfa;

/// <summary>
/// A user's second factor in the store: the sealed TOTP secret, codes accepted at most once (one conditional
/// UPDATE of the last used time step, never check-then-write) and single-use recovery codes (one conditional
/// UPDATE each). Changes made through the change tracker are saved with the caller's unit of work.
/// </summary>
internal sealed class SecondFactor(TokenDbContext database, KeyEncryption sealer)
{
    public byte[] Seal(Guid userId, byte[] secret) => sealer.Seal(AssociatedData(userId), secret);

    public byte[] Open(UserMfa mfa)
    {
        ArgumentNullException.ThrowIfNull(mfa);
        return sealer.Open(AssociatedData(mfa.UserId), mfa.SealedSecret);
    }

    /// <summary>
    /// Accepts a TOTP code of the user's enabled authenticator once: true only if it matches a step later than any
    /// accepted before, and this call is the one that recorded that step.
    /// </summary>
    public async Task<bool> TryUseCodeAsync(UserMfa mfa, string code, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mfa);
        if (mfa.EnabledAt is null || TotpCodes.MatchStep(Open(mfa), code, now) is not { } step)
        {
            return false;
        }

        return await database.UserMfa
            .Where(m => m.UserId == mfa.UserId && m.EnabledAt != null && m.LastUsedStep < step)
            .ExecuteUpdateAsync(set => set.SetProperty(m => m.LastUsedStep, step), cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Uses up one of the user's unused recovery codes; false if the code is not one of them.</summary>
    public async Task<bool> TryUseRecoveryCodeAsync(Guid userId, string code, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (RecoveryCodes.Hash(code) is not { } hash)
        {
            return false;
        }

        return await database.MfaRecoveryCodes
            .Where(c => c.UserId == userId && c.CodeHash == hash && c.UsedAt == null)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.UsedAt, now), cancellationToken).ConfigureAwait(false) == 1;
    }

    public Task<int> UnusedRecoveryCodesAsync(Guid userId, CancellationToken cancellationToken) =>
        database.MfaRecoveryCodes.CountAsync(c => c.UserId == userId && c.UsedAt == null, cancellationToken);

    /// <summary>Replaces the user's recovery codes with a new set; returns the codes, which are never stored or shown again.</summary>
    public async Task<IReadOnlyList<string>> ReplaceRecoveryCodesAsync(Guid userId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await database.MfaRecoveryCodes.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        var codes = Enumerable.Range(0, RecoveryCodes.Count).Select(_ => RecoveryCodes.NewCode()).ToArray();
        database.MfaRecoveryCodes.AddRange(codes.Select(code => new MfaRecoveryCode
        {
            Id = Guid.NewGuid(),
            UserId = userId,
            CodeHash = RecoveryCodes.Hash(code)!,
            CreatedAt = now,
        }));
        return codes;
    }

    /// <summary>Turns MFA off for the user: the authenticator (pending or on), its recovery codes and open challenges go.</summary>
    public async Task<bool> RemoveAsync(Guid userId, CancellationToken cancellationToken)
    {
        await database.MfaRecoveryCodes.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        await database.MfaChallenges.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
        return await database.UserMfa.Where(m => m.UserId == userId).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    private static string AssociatedData(Guid userId) => $"mfa:{userId}";
}
