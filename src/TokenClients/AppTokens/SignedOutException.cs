namespace TokenClients.AppTokens;

/// <summary>Why an app has no session.</summary>
public enum SignedOutReason
{
    /// <summary>No tokens: the user never signed in on this device, or the store was emptied.</summary>
    NotSignedIn,

    /// <summary>The user signed out (<see cref="AppTokenClient.SignOutAsync"/>).</summary>
    UserSignedOut,

    /// <summary>
    /// The token service ended the session (<c>invalid_grant</c> on refresh): revoked by the user or an admin,
    /// expired, or a refresh token was reused, which the service treats as theft.
    /// </summary>
    SessionEnded,
}

/// <summary>Raised by <see cref="AppTokenClient.SignedOut"/> when the app loses its session.</summary>
public sealed class SignedOutEventArgs(SignedOutReason reason) : EventArgs
{
    public SignedOutReason Reason { get; } = reason;
}

/// <summary>
/// No access token can be had without the user signing in again. The stored tokens are already cleared;
/// the app shows its sign-in screen.
/// </summary>
public sealed class SignedOutException : Exception
{
    public SignedOutException()
        : this(SignedOutReason.NotSignedIn)
    {
    }

    public SignedOutException(string message)
        : base(message)
    {
    }

    public SignedOutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public SignedOutException(SignedOutReason reason, Exception? innerException = null)
        : base(Describe(reason), innerException) => Reason = reason;

    public SignedOutReason Reason { get; }

    private static string Describe(SignedOutReason reason) => reason switch
    {
        SignedOutReason.UserSignedOut => "The user signed out; sign in again to call the API.",
        SignedOutReason.SessionEnded => "The session ended on the token service (revoked, expired or its refresh token reused); sign in again.",
        _ => "Not signed in; sign in to call the API.",
    };
}
