using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace TokenService.Keys;

/// <summary>
/// Keeps this instance's <see cref="SigningKeyRing"/> in step with the database and does its share of the
/// rotation every <see cref="SigningKeyOptions.ReloadInterval"/>. The first pass runs before the process
/// takes requests, so it never answers without a signing key.
/// </summary>
internal sealed partial class SigningKeyManager(
    IServiceScopeFactory scopes,
    SigningKeyRing ring,
    KeyEncryption encryption,
    TimeProvider time,
    IOptions<SigningKeyOptions> options,
    ILogger<SigningKeyManager> logger) : BackgroundService
{
    /// <summary>One pass at a time in this instance (the timer, an operator's request); instances race safely through the database.</summary>
    private readonly SemaphoreSlim _pass = new(1, 1);

    public override void Dispose()
    {
        _pass.Dispose();
        base.Dispose();
    }

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await MaintainAndReloadAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // One pass per interval measured from the end of the last one: no burst of catch-up passes after a pause.
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(options.Value.ReloadInterval, time, stoppingToken).ConfigureAwait(false);
            try
            {
                await MaintainAndReloadAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is DbException or DbUpdateException or InvalidOperationException or TimeoutException)
            {
                // The database may be briefly away: keep signing with the keys already loaded.
                LogReloadFailed(logger, exception);
            }
        }
    }

    internal async Task MaintainAndReloadAsync(CancellationToken cancellationToken)
    {
        await _pass.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await MaintainAndReloadOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pass.Release();
        }
    }

    private async Task MaintainAndReloadOnceAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<SigningKeyStore>();
        await store.MaintainAsync(cancellationToken).ConfigureAwait(false);

        var stored = await store.LiveKeysAsync(time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        var current = ring.Keys.ToDictionary(key => key.KeyId, StringComparer.Ordinal);
        ring.Replace([.. stored.Select(key => current.TryGetValue(key.KeyId, out var known) && known.RetiresAt == key.RetiresAt
            ? known
            : Load(key))]);
    }

    private LoadedSigningKey Load(SigningKey key)
    {
        var privateKey = encryption.Open(key.KeyId, key.SealedPrivateKey);
        try
        {
            var rsa = System.Security.Cryptography.RSA.Create();
            rsa.ImportPkcs8PrivateKey(privateKey, out _);
            return new LoadedSigningKey(key.KeyId, key.ActivatesAt, key.RetiresAt, new RsaSecurityKey(rsa) { KeyId = key.KeyId });
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(privateKey);
        }
    }

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Maintaining or reloading signing keys failed; the keys already loaded stay in use.")]
    private static partial void LogReloadFailed(ILogger logger, Exception exception);
}
