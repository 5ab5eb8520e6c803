using Inventory;
using Inventory.Choreography;
using Inventory.Reservations;
using Inventory.Stock;
using ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddInventory();

var app = builder.Build();
app.UseServiceDefaults();
app.UseCloudEvents();
app.MapSubscribeHandler();
app.MapDefaultEndpoints();
app.MapStockApi();
app.MapReservationsApi();
app.MapSagaEventsApi();

app.Run();
