using Orders.Ordering;
using ServiceDefaults.Authorization;

namespace Orders.Reports;

/// <summary>Aggregate figures for the reporting job's own identity (client_credentials, scope <c>orders:report</c>); user tokens are refused.</summary>
public static class ReportsEndpoints
{
    public const string ReportPolicy = "orders-report";

    public static IHostApplicationBuilder AddReports(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ReportPolicy, policy => policy.RequireServiceClient("reporting-service").RequireScopes("orders:report"));
        return builder;
    }

    public static IEndpointRouteBuilder MapReports(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/orders/report", (OrderStore store) =>
        {
            var orders = store.All();
            return TypedResults.Ok(new OrderReport(orders.Count, orders.Sum(o => o.Quantity)));
        }).RequireAuthorization(ReportPolicy);
        return endpoints;
    }

    public sealed record OrderReport(int OrderCount, int UnitCount);
}
