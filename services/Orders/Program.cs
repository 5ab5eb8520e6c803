using Orders;
using Orders.Choreography;
using Orders.Ordering;
using Orders.Replica;
using ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddOrders();

var app = builder.Build();
app.UseServiceDefaults();
app.UseCloudEvents();
app.MapSubscribeHandler();
app.MapDefaultEndpoints();
app.MapOrdersApi();
app.MapCustomersApi();
app.MapCatalogEventsApi();
app.MapSagaEventsApi();
app.MapReviewApi();
app.MapReviewDeadlineJobApi();

app.Run();
