using Payments;
using Payments.Charges;
using Payments.Choreography;
using Payments.Credit;
using Payments.Gateway;
using ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddPayments();

var app = builder.Build();
app.UseServiceDefaults();
app.UseCloudEvents();
app.MapSubscribeHandler();
app.MapDefaultEndpoints();
app.MapPaymentsApi();
app.MapCreditApi();
app.MapGatewayApi();
app.MapSagaEventsApi();
app.MapLateOutcomeJobApi();

app.Run();
