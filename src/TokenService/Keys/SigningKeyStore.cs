using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using TokenService.Audit;
using TokenService.Data;
using TokenService.Tokens;

namespace TokenService.Keys;

/// <summary>
/// The signing-key timeline in the database, shared by all instances: pending (published, not signing) → active
/// (the newest key whose activation time has passed) → retiring (published until every token it signed has
/// expired) → gone. Creating a key is race-free across instances: generations are unique.
/// </summary>
internal sealed partial class SigningKeyStore(
    TokenDbContext database,
    KeyEncryption encryption,
    AuditLog audit,
    TimeProvider time,
    IOptions<SigningKeyOptions> options,
    IOptions<TokenOptions> tokenOptions,
    ILogger<SigningKeyStore> logger)
{
    /// <summary>How long a superseded key stays published: the longest access-token lifetime, clock skew and one reload.</summary>
    private TimeSpan Retention => tokenOptions.Value.AccessTokenLifetime + TimeSpan.FromMinutes(1) + options.Value.ReloadInterval;

    public Task<List<SigningKey>> LiveKeysAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        database.SigningKeys.Where(k => k.RetiresAt == null || k.RetiresAt > now).OrderBy(k => k.Generation).ToListAsync(cancellationToken);

    /// <summary>
    /// One maintenance pass: make sure a key signs now, mark superseded keys for retirement, and publish the next
    /// key <see cref="SigningKeyOptions.ActivationDelay"/> before it is due.
    /// </summary>
    public async Task MaintainAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var all = await AllKeysAsync(cancellationToken).ConfigureAwait(false);
        var next = NextGeneration(all);
        var keys = all.Where(k => k.RetiresAt == null || k.RetiresAt > now).ToList();
        var activated = keys.Where(k => k.ActivatesAt <= now).OrderBy(k => k.ActivatesAt).ThenBy(k => k.Generation).ToList();
        if (activated.Count == 0)
        {
            // Nothing signs (a new store, or the active key was revoked): a key must sign at once.
            await CreateAsync(activatesAt: now, next, cancellationToken).ConfigureAwait(false);
            return;
        }

        for (var i = 0; i < activated.Count - 1; i++)
        {
            activated[i].RetiresAt ??= activated[i + 1].ActivatesAt + Retention;
        }

        await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);

        var active = activated[^1];
        var pending = keys.Any(k => k.ActivatesAt > now);
        var settings = options.Value;
        if (!pending && now >= active.ActivatesAt + settings.RotationInterval - settings.ActivationDelay)
        {
            var due = active.ActivatesAt + settings.RotationInterval;
            var earliest = now + settings.ActivationDelay;
            await CreateAsync(due > earliest ? due : earliest, next, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Publishes a new key that signs after the activation delay (operator-requested rotation); null if one is already pending.</summary>
    public async Task<SigningKey?> RotateAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var all = await AllKeysAsync(cancellationToken).ConfigureAwait(false);
        if (all.Any(k => k.ActivatesAt > now && (k.RetiresAt == null || k.RetiresAt > now)))
        {
            return null;
        }

        return await CreateAsync(now + options.Value.ActivationDelay, NextGeneration(all), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Withdraws a compromised key at once: it leaves the JWKS and never signs again. If it was the active key, a
    /// replacement signs immediately (validators fetch its unknown <c>kid</c> on first sight).
    /// </summary>
    public async Task<bool> RevokeAsync(string keyId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var key = await database.SigningKeys.SingleOrDefaultAsync(k => k.KeyId == keyId && (k.RetiresAt == null || k.RetiresAt > now), cancellationToken)
            .ConfigureAwait(false);
        if (key is null)
        {
            return false;
        }

        key.RetiresAt = now;
        audit.Record(AuditEventTypes.SigningKeyRevoked, detail: keyId);
        await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        LogKeyRevoked(logger, keyId);
        await MaintainAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Every key, retired ones included, in one read: the decision to create a key and the generation it gets come
    /// from the same snapshot. (Two reads would let an instance that saw no key read the generation another instance
    /// just stored, and add a second first key under the next generation: two signing keys, and validators that
    /// fetched the key set from the other instance refusing its tokens.)
    /// </summary>
    private Task<List<SigningKey>> AllKeysAsync(CancellationToken cancellationToken) =>
        database.SigningKeys.OrderBy(k => k.Generation).ToListAsync(cancellationToken);

    private static int NextGeneration(List<SigningKey> all) => (all.Count == 0 ? 0 : all[^1].Generation) + 1;

    /// <summary>Stores a key of <paramref name="generation"/>; null when another instance stored that generation first.</summary>
    private async Task<SigningKey?> CreateAsync(DateTimeOffset activatesAt, int generation, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var keyId = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16));
        using var rsa = RSA.Create(options.Value.RsaKeySize);
        var privateKey = rsa.ExportPkcs8PrivateKey();
        SigningKey key;
        try
        {
            key = new SigningKey
            {
                KeyId = keyId,
                Generation = generation,
                Algorithm = SecurityAlgorithms.RsaSha256,
                PublicKey = rsa.ExportSubjectPublicKeyInfo(),
                SealedPrivateKey = encryption.Seal(keyId, privateKey),
                CreatedAt = now,
                ActivatesAt = activatesAt,
            };
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateKey);
        }

        database.SigningKeys.Add(key);
        audit.Record(AuditEventTypes.SigningKeyCreated, detail: $"{keyId} generation {generation}, signs from {activatesAt:O}");
        try
        {
            await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            // Another instance created this generation first: its key stands.
            database.ChangeTracker.Clear();
            return null;
        }

        LogKeyCreated(logger, keyId, generation, activatesAt);
        return key;
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Created signing key {KeyId} (generation {Generation}), signing from {ActivatesAt:O}.")]
    private static partial void LogKeyCreated(ILogger logger, string keyId, int generation, DateTimeOffset activatesAt);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Revoked signing key {KeyId}: it left the key set and signs no more.")]
    private static partial void LogKeyRevoked(ILogger logger, string keyId);
}
