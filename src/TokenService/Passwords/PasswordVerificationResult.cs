namespace TokenService.Passwords;

public enum PasswordVerificationResult
{
    Failed,
    Success,

    /// <summary>The password is right but was hashed with weaker parameters than today's: store a new hash.</summary>
    SuccessRehashNeeded,
}
