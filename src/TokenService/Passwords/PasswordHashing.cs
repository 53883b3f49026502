namespace TokenService.Passwords;

/// <summary>
/// Argon2id work on a request path, always through the <see cref="PasswordHashingGate"/>: callers cannot hash or
/// verify around the concurrency bound.
/// </summary>
public sealed class PasswordHashing(Argon2idPasswordHasher hasher, PasswordHashingGate gate)
{
    /// <inheritdoc cref="Argon2idPasswordHasher.DummyHash"/>
    public string DummyHash => hasher.DummyHash;

    /// <inheritdoc cref="PasswordHashingGate.Reserve"/>
    /// <remarks>For a request whose other work (reading the user) should only run once it is sure of its place.</remarks>
    public PasswordHashingGate.Place Reserve() => gate.Reserve();

    public Task<string> HashAsync(string password, CancellationToken cancellationToken) =>
        gate.RunAsync(() => hasher.Hash(password), cancellationToken);

    /// <summary>Hashes in a place taken earlier with <see cref="Reserve"/>.</summary>
    public Task<string> HashAsync(PasswordHashingGate.Place place, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(place);
        return place.RunAsync(() => hasher.Hash(password), cancellationToken);
    }

    public Task<PasswordVerificationResult> VerifyAsync(string encodedHash, string password, CancellationToken cancellationToken) =>
        gate.RunAsync(() => hasher.Verify(encodedHash, password), cancellationToken);

    /// <summary>Verifies in a place taken earlier with <see cref="Reserve"/>.</summary>
    public Task<PasswordVerificationResult> VerifyAsync(PasswordHashingGate.Place place, string encodedHash, string password, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(place);
        return place.RunAsync(() => hasher.Verify(encodedHash, password), cancellationToken);
    }
}
