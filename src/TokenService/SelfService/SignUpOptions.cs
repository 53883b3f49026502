namespace TokenService.SelfService;

/// <summary>Self-service sign-up, bound from <c>Accounts:SignUp</c>.</summary>
public sealed class SignUpOptions
{
    public const string SectionName = "Accounts:SignUp";

    /// <summary>Whether <c>/account/signup</c> exists. Default <c>false</c>: accounts are created by administrators.</summary>
    public bool Enabled { get; set; }

    /// <summary>How long the confirmation sent to a new address stays valid. Default 1 day; between 10 minutes and 7 days.</summary>
    public TimeSpan ConfirmationLifetime { get; set; } = TimeSpan.FromDays(1);
}
