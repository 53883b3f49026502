namespace TokenService.Accounts;

/// <summary>
/// A count of failed sign-ins with its own lockout: the account's shared one (<see cref="User"/>) or that of one
/// address the user signed in from before (<see cref="FamiliarSignInSource"/>). See <see cref="AccountLockout"/>.
/// </summary>
public interface ILockoutCounter
{
    /// <summary>Failed attempts since the last success or the end of the last lockout.</summary>
    int FailedLoginCount { get; set; }

    /// <summary>While in the future, sign-ins judged by this counter are refused (answering exactly like a wrong password).</summary>
    DateTimeOffset? LockoutEndsAt { get; set; }
}
