namespace TokenService.Notifications;

/// <summary>Tells a user something out of band (e-mail in production). Sent with the caller's unit of work.</summary>
public interface INotificationSender
{
    void Send(string kind, string recipient, Guid? userId, IReadOnlyDictionary<string, string> parameters);
}
