// The operator host. Watches and reconcile come with the operator issue; today it starts, logs and waits.
var builder = Host.CreateApplicationBuilder(args);
var app = builder.Build();
app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Ballast.Operator").LogInformation("Ballast operator started");
await app.RunAsync();
