using Inventory.Items;
using Inventory.Reservations;
using ServiceDefaults;
using ServiceDefaults.TokenVerification;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();            // telemetry, health, problem details
builder.AddAccessTokenVerification();    // verifies every token itself: zero trust, gateway or not
builder.AddItems();                      // the catalog and stock levels (users: inventory:read / inventory:write)
builder.AddReservations();               // stock reservations, for the orders service's own identity only

var app = builder.Build();

app.UseServiceDefaults();
app.UseAuthentication();
app.UseAuthorization();
app.MapItems();
app.MapReservations();
app.Run();
