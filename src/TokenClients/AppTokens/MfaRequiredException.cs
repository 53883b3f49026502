namespace TokenClients.AppTokens;

/// <summary>
/// The password was right but the user has MFA on: the token service answered <c>mfa_required</c> and issued no
/// tokens. Ask the user for the current code of their authenticator app (or a recovery code) and pass it with
/// <see cref="MfaToken"/> to <see cref="AppTokenClient.CompleteMfaAsync"/> or
/// <see cref="AppTokenClient.CompleteMfaWithRecoveryCodeAsync"/> within a few minutes; the token is single-use and
/// dies after a few wrong codes (then sign in with the password again). The message never contains the token.
/// </summary>
public sealed class MfaRequiredException : Exception
{
    public MfaRequiredException()
        : this("")
    {
    }

    public MfaRequiredException(string mfaToken)
        : base("The password was correct; the token service requires a second factor (mfa_required).") => MfaToken = mfaToken;

    public MfaRequiredException(string message, Exception innerException)
        : base(message, innerException) => MfaToken = "";

    /// <summary>The opaque, short-lived, single-use token that completes this sign-in with a code. Keep it in memory only.</summary>
    public string MfaToken { get; }
}
