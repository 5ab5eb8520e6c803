using Inventory;
using ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddInventory();

var app = builder.Build();
app.UseServiceDefaults();
app.UseCloudEvents();
app.MapSubscribeHandler();
app.MapDefaultEndpoints();

app.Run();
