namespace TokenService.Audit;

public static class AuditExtensions
{
    public static IHostApplicationBuilder AddAuditLog(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<AuditLog>();
        return builder;
    }
}
