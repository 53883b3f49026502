using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using MobileAppSample;
using TokenClients.AppTokens;

// A console app behaving like a mobile app: one base URL (the gateway), sign in, call APIs in parallel for longer than
// several access-token lifetimes, and count failures and refreshes. Exit code 0 only if no request failed.
// Settings ship next to the binary, so the sample runs the same from any working directory.
var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.Services.AddAppTokenClient();
builder.Services.AddOptions<SampleOptions>().BindConfiguration(SampleOptions.SectionName)
    .Validate(o => o.Password.Length > 0, "Sample:Password is required (./run.sh prints it): Sample__Password=... or --Sample:Password=...")
    .Validate(o => o.Duration > TimeSpan.Zero && o.Parallelism > 0 && o.Pause >= TimeSpan.Zero && o.Paths.Count > 0,
        "Sample:Duration and Parallelism must be positive, Pause not negative, Paths not empty.")
    .ValidateOnStart();
builder.Services.AddHttpClient(LoadRun.GatewayClientName, (provider, http) =>
        http.BaseAddress = provider.GetRequiredService<IOptions<AppTokenOptions>>().Value.Authority)
    .AddAppAccessToken();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<LoadRun>();

using var host = builder.Build();
await host.StartAsync();
var failures = await host.Services.GetRequiredService<LoadRun>().RunAsync(CancellationToken.None);
await host.StopAsync();
return failures == 0 ? 0 : 1;
