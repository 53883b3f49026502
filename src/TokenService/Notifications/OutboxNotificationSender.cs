using System.Text.Json;
using TokenService.Data;

namespace TokenService.Notifications;

/// <summary>The default sender: adds an <see cref="OutboxMessage"/> to the current unit of work; a relay delivers it.</summary>
internal sealed partial class OutboxNotificationSender(TokenDbContext database, TimeProvider time, ILogger<OutboxNotificationSender> logger)
    : INotificationSender
{
    public void Send(string kind, string recipient, Guid? userId, IReadOnlyDictionary<string, string> parameters)
    {
        database.OutboxMessages.Add(new OutboxMessage
        {
            CreatedAt = time.GetUtcNow(),
            Kind = kind,
            UserId = userId,
            Recipient = recipient,
            Payload = JsonSerializer.Serialize(parameters),
        });
        LogQueued(logger, kind, userId);
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Queued a {Kind} notification for user {UserId}.")]
    private static partial void LogQueued(ILogger logger, string kind, Guid? userId);
}
