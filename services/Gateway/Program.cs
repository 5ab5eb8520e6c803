using Gateway;
using Gateway.Orders;
using Gateway.Products;
using ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGateway();

var app = builder.Build();
app.UseServiceDefaults();
app.MapDefaultEndpoints();
app.MapOrdersApi();
app.MapProductsApi();

app.Run();
