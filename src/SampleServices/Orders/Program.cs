using Orders.Ordering;
using Orders.Reports;
using Orders.Stock;
using ServiceDefaults;
using ServiceDefaults.TokenVerification;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();            // telemetry, health, problem details
builder.AddAccessTokenVerification();    // verifies every token itself: zero trust, gateway or not
builder.AddOrdering();                   // users' orders: own records only unless orders:admin
builder.AddReports();                    // totals for the reporting job's service identity
builder.AddInventoryClient();            // calls inventory with this service's own client_credentials token

var app = builder.Build();

app.UseServiceDefaults();
app.UseAuthentication();
app.UseAuthorization();
app.MapOrdering();
app.MapReports();
app.Run();
