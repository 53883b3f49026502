using System.Data.Common;
using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using TokenService.Data;

namespace TokenService.Keys;

/// <summary>
/// Keeps <see cref="SigningKeyRing"/> in step with the database: at start it makes sure a signing key exists
/// (creating the first one if the store is empty) and loads the key set before the process takes requests;
/// then it reloads every <see cref="SigningKeyOptions.ReloadInterval"/>, so all instances agree on the keys.
/// </summary>
internal sealed partial class SigningKeyManager(
    IServiceScopeFactory scopes,
    SigningKeyRing ring,
    KeyEncryption encryption,
    TimeProvider time,
    IOptions<SigningKeyOptions> options,
    ILogger<SigningKeyManager> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await EnsureActiveKeyAsync(cancellationToken).ConfigureAwait(false);
        await ReloadAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReloadInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await ReloadAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is DbException or InvalidOperationException or TimeoutException)
            {
                // The database may be briefly away: keep signing with the keys already loaded.
                LogReloadFailed(logger, exception);
            }
        }
    }

    internal async Task ReloadAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<TokenDbContext>();
        var stored = await database.SigningKeys.AsNoTracking()
            .Where(key => key.RetiresAt == null || key.RetiresAt > now)
            .ToListAsync(cancellationToken).ConfigureAwait(false);

        var current = ring.Keys.ToDictionary(key => key.KeyId, StringComparer.Ordinal);
        var loaded = stored.Select(key => current.TryGetValue(key.KeyId, out var known) && known.RetiresAt == key.RetiresAt
            ? known
            : Load(key));
        ring.Replace([.. loaded]);
    }

    private async Task EnsureActiveKeyAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var scope = scopes.CreateAsyncScope();
        var database = scope.ServiceProvider.GetRequiredService<TokenDbContext>();
        var hasActive = await database.SigningKeys
            .AnyAsync(key => key.ActivatesAt <= now && (key.RetiresAt == null || key.RetiresAt > now), cancellationToken)
            .ConfigureAwait(false);
        if (hasActive)
        {
            return;
        }

        // No key signs yet (a new store): the first key may sign at once, since no validator can hold an older key set.
        var key = Create(now, activatesAt: now);
        database.SigningKeys.Add(key);
        await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        LogKeyCreated(logger, key.KeyId, key.ActivatesAt);
    }

    private SigningKey Create(DateTimeOffset now, DateTimeOffset activatesAt)
    {
        var keyId = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16));
        using var rsa = RSA.Create(options.Value.RsaKeySize);
        var privateKey = rsa.ExportPkcs8PrivateKey();
        try
        {
            return new SigningKey
            {
                KeyId = keyId,
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
    }

    private LoadedSigningKey Load(SigningKey key)
    {
        var privateKey = encryption.Open(key.KeyId, key.SealedPrivateKey);
        try
        {
            var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(privateKey, out _);
            return new LoadedSigningKey(key.KeyId, key.ActivatesAt, key.RetiresAt, new RsaSecurityKey(rsa) { KeyId = key.KeyId });
        }
        finally
        {
            CryptographicOperations.ZeroMemory(privateKey);
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Created signing key {KeyId}, signing from {ActivatesAt:O}.")]
    private static partial void LogKeyCreated(ILogger logger, string keyId, DateTimeOffset activatesAt);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Reloading signing keys failed; the keys already loaded stay in use.")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception);
}
