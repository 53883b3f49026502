using Microsoft.Extensions.DependencyInjection.Extensions;

namespace TokenService.Notifications;

public static class NotificationsExtensions
{
    /// <summary>User notifications through the outbox table, unless another <see cref="INotificationSender"/> is registered first.</summary>
    public static IHostApplicationBuilder AddNotifications(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddScoped<INotificationSender, OutboxNotificationSender>();
        return builder;
    }
}
