namespace TokenService.Passwords;

/// <summary>
/// Argon2id work on a request path, always through the <see cref="PasswordHashingGate"/>: callers cannot hash or
/// verify around the concurrency bound.
/// </summary>
public sealed class PasswordHashing(Argon2idPasswordHasher hasher, PasswordHashingGate gate)
{
    /// <inheritdoc cref="Argon2idPasswordHasher.DummyHash"/>
    public string DummyHash => hasher.DummyHash;

    public Task<string> HashAsync(string password, CancellationToken cancellationToken) =>
        gate.RunAsync(() => hasher.Hash(password), cancellationToken);

    public Task<PasswordVerificationResult> VerifyAsync(string encodedHash, string password, CancellationToken cancellationToken) =>
        gate.RunAsync(() => hasher.Verify(encodedHash, password), cancellationToken);
}
