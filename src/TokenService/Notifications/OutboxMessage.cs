namespace TokenService.Notifications;

/// <summary>
/// A message to a user waiting to be delivered (transactional outbox): written in the same transaction as the
/// change it announces, delivered by whatever relay the deployment runs, then marked sent.
/// </summary>
public sealed class OutboxMessage
{
    public long Id { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>What the message says, e.g. <c>confirm_sign_up</c> (see <see cref="NotificationKinds"/>).</summary>
    public required string Kind { get; set; }

    public Guid? UserId { get; set; }

    /// <summary>The address to deliver to.</summary>
    public required string Recipient { get; set; }

    /// <summary>The message's parameters as JSON (e.g. a confirmation link token). Never a password.</summary>
    public required string Payload { get; set; }

    public DateTimeOffset? SentAt { get; set; }
}

public static class NotificationKinds
{
    /// <summary>Sent to a new sign-up's address with the token that confirms it.</summary>
    public const string ConfirmSignUp = "confirm_sign_up";

    /// <summary>Sent to the owner of an address someone tried to sign up with again.</summary>
    public const string SignUpAttemptForExistingAccount = "sign_up_attempt_for_existing_account";

    /// <summary>Sent after the password of an account was changed or reset.</summary>
    public const string PasswordChanged = "password_changed";
}
