using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using TestSupport;
using TokenService.Accounts;
using TokenService.Data;
using TokenService.Mfa;
using TokenService.Passwords;
using TokenService.Tokens;

// Times unknown user / wrong password / wrong password of an MFA user / locked / disabled sign-ins through the real token service on SQLite,
// interleaved round-robin so drift hits every path alike. Usage: dotnet run -c Release [-- samples]
// WebApplicationFactory needs the service's content root outside a test project (bin/Release/net10.0 -> repo).
Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_TOKENSERVICE",
    Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "TokenService")));
var samples = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 60;
const int Warmup = 10;
const string Password = "bench-password-long-enough";
var database = Path.Combine(Path.GetTempPath(), $"login-timing-{Guid.NewGuid():N}.db");
var settings = new Dictionary<string, string>
{
    ["Database:Provider"] = "Sqlite",
    ["Database:ConnectionString"] = $"Data Source={database};Pooling=false",
    ["Database:MigrateOnStart"] = "true",
    ["Tokens:Issuer"] = "https://auth.bench",
    ["SigningKeys:KeyEncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
    ["DemoSeed:Enabled"] = "true",
    ["DemoSeed:AdminPassword"] = Password,
    ["DemoSeed:UserPassword"] = Password,
    ["DemoSeed:OrdersServiceSecret"] = new string('o', 40),
    ["DemoSeed:ReportingServiceSecret"] = new string('r', 40),
    // Only the work of each path is measured: no rate limit, and lockout late enough for the wrong-password samples.
    ["Accounts:LoginRateLimits:PerAddressPermitLimit"] = "1000000",
    ["Accounts:LoginRateLimits:PerAddressAndUserPermitLimit"] = "1000000",
    ["Accounts:Lockout:MaxFailedAttempts"] = "100",
    ["Logging:LogLevel:Default"] = "Warning",
};

await using (var host = new ConfiguredHost<AccessTokenIssuer>(settings))
{
    using var client = host.CreateClient();
    await using (var scope = host.Services.CreateAsyncScope())
    {
        var store = scope.ServiceProvider.GetRequiredService<TokenDbContext>();
        var hasher = scope.ServiceProvider.GetRequiredService<Argon2idPasswordHasher>();
        store.Users.Add(NewUser("locked-user", hasher.Hash(Password), u => u.LockoutEndsAt = DateTimeOffset.MaxValue.AddDays(-1)));
        store.Users.Add(NewUser("disabled-user", hasher.Hash(Password), u => u.IsDisabled = true));
        // A wrong password never opens the secret, so any sealed bytes of the right size do.
        store.Users.Add(NewUser("mfa-user", hasher.Hash(Password), u => u.Mfa = new UserMfa
        {
            UserId = u.Id, SealedSecret = new byte[48], CreatedAt = DateTimeOffset.UnixEpoch, EnabledAt = DateTimeOffset.UnixEpoch,
        }));
        await store.SaveChangesAsync();
    }

    (string Name, string User, string Password)[] paths =
    [
        ("unknown user", "nobody-at-all", Password),
        ("wrong password", "alice", "not-the-password-at-all"),
        ("wrong password, MFA on", "mfa-user", "not-the-password-at-all"),
        ("locked (right password)", "locked-user", Password),
        ("disabled (right password)", "disabled-user", Password),
    ];
    var timings = paths.ToDictionary(p => p.Name, _ => new List<double>());
    for (var i = 0; i < Warmup + samples; i++)
    {
        foreach (var path in paths)
        {
            using var form = new FormUrlEncodedContent([
                new("grant_type", "password"), new("client_id", "mobile-app"), new("username", path.User), new("password", path.Password),
            ]);
            var watch = Stopwatch.StartNew();
            using var response = await client.PostAsync(new Uri("/connect/token", UriKind.Relative), form);
            _ = await response.Content.ReadAsByteArrayAsync();
            watch.Stop();
            if ((int)response.StatusCode != 400)
            {
                throw new InvalidOperationException($"{path.Name}: expected 400, got {(int)response.StatusCode}.");
            }

            if (i >= Warmup)
            {
                timings[path.Name].Add(watch.Elapsed.TotalMilliseconds);
            }
        }
    }

    Console.WriteLine($"{samples} samples per path after {Warmup} warm-up rounds, {Environment.ProcessorCount} processors");
    Console.WriteLine("| path | median ms | mean ms | p10 ms | p90 ms |");
    Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
    foreach (var (name, values) in timings)
    {
        values.Sort();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} | {Percentile(values, 0.5):F1} | {values.Average():F1} | {Percentile(values, 0.1):F1} | {Percentile(values, 0.9):F1} |"));
    }
}

File.Delete(database);

static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Round(p * (sorted.Count - 1))];

static User NewUser(string name, string hash, Action<User> configure)
{
    var user = new User { Id = Guid.NewGuid(), UserName = name, NormalizedUserName = UserNames.Normalize(name), PasswordHash = hash };
    configure(user);
    return user;
}
