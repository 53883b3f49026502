namespace TokenService.Mfa;

/// <summary>Multi-factor sign-in (TOTP), bound from <c>Mfa</c>.</summary>
public sealed class MfaOptions
{
    public const string SectionName = "Mfa";

    internal static readonly TimeSpan MaximumChallengeLifetime = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long an <c>mfa_token</c> (the answer to a correct password) may be exchanged for tokens with a code.
    /// Default 5 minutes; between 1 and 15 minutes.
    /// </summary>
    public TimeSpan ChallengeLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Codes one <c>mfa_token</c> may be tried with before it dies (the next attempt needs the password again).
    /// Default 3; between 1 and 10. Every wrong code also counts toward the account lockout.
    /// </summary>
    public int MaxCodeAttempts { get; set; } = 3;

    /// <summary>
    /// The issuer name authenticator apps show next to the account (the <c>issuer</c> of the <c>otpauth://</c> URI).
    /// Default: the host name of <c>Tokens:Issuer</c>.
    /// </summary>
    public string? IssuerName { get; set; }
}
