using Gateway;
using ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddGateway();

var app = builder.Build();
app.UseServiceDefaults();
app.UseCloudEvents();
app.MapSubscribeHandler();
app.MapDefaultEndpoints();

app.Run();
