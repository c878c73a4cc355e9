using Authz.Server.Extensions;

// Configuration comes from appsettings.json beside the binary, then Authz__... environment variables and arguments.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.AddAuthzServices();

var app = builder.Build();
app.UseAuthzMetricsEndpoint();
app.MapAuthzGrpc();

await app.RunAsync();
