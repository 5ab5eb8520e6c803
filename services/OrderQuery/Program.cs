using OrderQuery;
using OrderQuery.Projections;
using OrderQuery.Queries;
using OrderQuery.Rebuild;
using ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddOrderQuery();

var app = builder.Build();
app.UseServiceDefaults();
app.UseCloudEvents();
app.MapSubscribeHandler();
app.MapDefaultEndpoints();
app.MapOrderViewsApi();
app.MapProductSearchApi();
app.MapStatsApi();
app.MapAdminApi();
app.MapEventsApi();

app.Run();
