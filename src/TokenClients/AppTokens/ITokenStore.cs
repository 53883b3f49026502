namespace TokenClients.AppTokens;

/// <summary>
/// Where an app keeps its tokens between runs. Implement it over the platform's secure storage (MAUI
/// <c>SecureStorage</c>, the iOS Keychain, Android Keystore-backed preferences, Windows DPAPI/Credential Locker);
/// never over plain files or preferences. Calls are serialised by <see cref="AppTokenClient"/>: one at a time.
/// </summary>
public interface ITokenStore
{
    /// <summary>The tokens saved last, or <c>null</c> when none are (never signed in, or signed out).</summary>
    ValueTask<AppTokenSet?> LoadAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the saved tokens. Called after sign-in and after every refresh (the refresh token rotates).</summary>
    ValueTask SaveAsync(AppTokenSet tokens, CancellationToken cancellationToken);

    /// <summary>Removes the saved tokens (sign-out, or the session ended on the server).</summary>
    ValueTask ClearAsync(CancellationToken cancellationToken);
}

/// <summary>Keeps tokens in memory only: the user signs in again after every start. For tests, consoles and tools.</summary>
public sealed class InMemoryTokenStore : ITokenStore
{
    private volatile AppTokenSet? _tokens;

    public ValueTask<AppTokenSet?> LoadAsync(CancellationToken cancellationToken) => ValueTask.FromResult(_tokens);

    public ValueTask SaveAsync(AppTokenSet tokens, CancellationToken cancellationToken)
    {
        _tokens = tokens;
        return ValueTask.CompletedTask;
    }

    public ValueTask ClearAsync(CancellationToken cancellationToken)
    {
        _tokens = null;
        return ValueTask.CompletedTask;
    }
}
