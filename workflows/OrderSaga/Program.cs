using OrderSaga;
using OrderSaga.Sagas;
using ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddOrderSaga();

var app = builder.Build();
app.UseServiceDefaults();
app.UseCloudEvents();
app.MapSubscribeHandler();
app.MapDefaultEndpoints();
app.MapSagasApi();
app.MapOrderEventsApi();

app.Run();
