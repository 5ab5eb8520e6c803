using Dapr.Workflow;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Workflow.TestHost;

// A workflow app for crash tests: dotnet Workflow.TestHost.dll <dapr grpc endpoint> <execution log file>
var builder = Host.CreateApplicationBuilder();
builder.Logging.ClearProviders();
builder.Configuration["DAPR_GRPC_ENDPOINT"] = args[0];
builder.Services.AddSingleton(new ExecutionLog(args[1]));
builder.Services.AddDaprWorkflow(TestWorkflowRegistry.RegisterAll);
await builder.Build().RunAsync();
