using Operations;
using Operations.DeadLetters;
using ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddOperations();

var app = builder.Build();
app.UseServiceDefaults();
// No UseCloudEvents: a dead letter is kept as the whole CloudEvent it arrived as (id, type, original topic, data).
app.MapDefaultEndpoints();
app.MapDeadLettersApi();

app.Run();
