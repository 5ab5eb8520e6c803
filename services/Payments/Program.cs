using Payments;
using ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddPayments();

var app = builder.Build();
app.UseServiceDefaults();
app.UseCloudEvents();
app.MapSubscribeHandler();
app.MapDefaultEndpoints();

app.Run();
