using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using NUnit.Framework;
using TokenService.Accounts;
using TokenService.Audit;
using TokenService.Data;
using TokenService.OperatorBootstrap;
using TokenService.Passwords;

namespace TokenService.Tests;

/// <summary>
/// <c>TokenService bootstrap-admin</c>, run as its own process as the Kubernetes Job runs it, makes a store without
/// demo data administrable: the role <c>admin</c>, an operator holding it and the client <c>admin-cli</c> to sign in with,
/// from settings in the environment.
/// </summary>
[TestFixture(DatabaseProvider.Postgres)]
public sealed class BootstrapAdminTests(DatabaseProvider provider) : TokenServiceFixture(provider)
{
    private const string Password = "a-long-uncommon-operator-passphrase";

    protected override IReadOnlyDictionary<string, string> ExtraSettings => new Dictionary<string, string> { ["DemoSeed:Enabled"] = "false" };

    [Test]
    public async Task The_operator_it_creates_administers_the_store_and_a_second_run_changes_nothing()
    {
        var name = NewName();

        var first = await RunAsync(name, Password);
        var audited = await AuditCountAsync();
        var second = await RunAsync(name, Password);
        var auditedAfterSecond = await AuditCountAsync();
        var access = await SignInAsync(name, Password).AccessTokenAsync();
        using var role = await Client.GetAsync("/admin/roles/admin", access);

        Assert.Multiple(async () =>
        {
            Assert.That(first.ExitCode, Is.Zero, first.Output);
            Assert.That(second.ExitCode, Is.Zero, second.Output);
            Assert.That(auditedAfterSecond, Is.EqualTo(audited), "the second run wrote nothing");
            Assert.That(role.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await role.JsonAsync()).GetProperty("permissions").EnumerateArray().Select(p => p.GetString()),
                Is.EquivalentTo(new[] { "users:manage", "roles:manage", "clients:manage", "audit:read", "keys:manage" }));
            Assert.That(first.Output + second.Output, Does.Not.Contain(Password));
        });
    }

    [Test]
    public async Task An_existing_user_with_another_password_is_refused_left_unchanged_and_the_refusal_audited()
    {
        var name = NewName();
        await BootstrapAsync(name, Password);

        var refused = await BootstrapAsync(name, "another-long-uncommon-passphrase");
        var refusals = 0;
        await ChangeStoreAsync(async (database, _) => refusals = await database.AuditEvents
            .CountAsync(e => e.Type == "bootstrap_admin_refused" && database.Users.Any(u => u.Id == e.UserId && u.UserName == name)));
        using var signIn = await SignInAsync(name, Password);

        Assert.Multiple(() =>
        {
            Assert.That(refused, Is.False);
            Assert.That(signIn.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the first password still works");
            Assert.That(refusals, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task An_existing_user_whose_password_it_is_gets_the_role()
    {
        var name = NewName();
        await AdminApiUserAsync(name);

        var done = await BootstrapAsync(name, Password);
        var roles = new List<string>();
        await ChangeStoreAsync(async (database, _) =>
            roles = await database.Users.Where(u => u.UserName == name).SelectMany(u => u.Roles).Select(r => r.Name).ToListAsync());

        Assert.Multiple(() =>
        {
            Assert.That(done, Is.True);
            Assert.That(roles, Is.EqualTo(new[] { "admin" }));
        });
    }

    [TestCase("password12345678")]
    [TestCase("short")]
    public async Task A_password_the_policy_refuses_creates_nobody(string password)
    {
        var name = NewName();

        var done = await BootstrapAsync(name, password);
        var created = true;
        await ChangeStoreAsync(async (database, _) => created = await database.Users.AnyAsync(u => u.UserName == name));

        Assert.Multiple(() =>
        {
            Assert.That(done, Is.False);
            Assert.That(created, Is.False);
        });
    }

    [Test]
    public async Task A_password_on_the_command_line_is_refused()
    {
        var name = NewName();

        var result = await RunAsync(name, password: null, "--BootstrapAdmin:Password=a-long-uncommon-passphrase-on-the-command-line");
        var created = true;
        await ChangeStoreAsync(async (database, _) => created = await database.Users.AnyAsync(u => u.UserName == name));

        Assert.Multiple(() =>
        {
            Assert.That(result.ExitCode, Is.Not.Zero);
            Assert.That(result.Output, Does.Contain("must not be given on the command line"));
            Assert.That(created, Is.False);
        });
    }

    /// <summary>The command's work in this process, with the given settings.</summary>
    private async Task<bool> BootstrapAsync(string userName, string password)
    {
        await using var scope = Host.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var bootstrap = new AdminBootstrap(services.GetRequiredService<TokenDbContext>(), services.GetRequiredService<Argon2idPasswordHasher>(),
            services.GetRequiredService<PasswordPolicy>(), services.GetRequiredService<AuditLog>(), Clock,
            Options.Create(new BootstrapAdminOptions { UserName = userName, Password = password }), NullLogger<AdminBootstrap>.Instance);
        return await bootstrap.RunAsync(CancellationToken.None);
    }

    /// <summary>A user without roles, as an operator creates one through the admin API.</summary>
    private Task AdminApiUserAsync(string userName) => ChangeStoreAsync((database, services) =>
    {
        database.Users.Add(new User
        {
            Id = Guid.NewGuid(), UserName = userName, NormalizedUserName = UserNames.Normalize(userName),
            PasswordHash = services.GetRequiredService<Argon2idPasswordHasher>().Hash(Password), CreatedAt = Clock.GetUtcNow(),
        });
        return Task.CompletedTask;
    });

    /// <summary>A password grant with the client the command registers for operators.</summary>
    private Task<HttpResponseMessage> SignInAsync(string userName, string password) => Client.RequestAsync([
        new("grant_type", "password"), new("client_id", "admin-cli"), new("username", userName), new("password", password),
    ]);

    private static string NewName() => $"ops-{Guid.NewGuid():N}";

    private async Task<int> AuditCountAsync()
    {
        var count = 0;
        await ChangeStoreAsync(async (database, _) => count = await database.AuditEvents.CountAsync());
        return count;
    }

    /// <summary>Runs the token service's own assembly with the settings in its environment, as the Job does.</summary>
    private async Task<(int ExitCode, string Output)> RunAsync(string userName, string? password, params string[] options)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "TokenService.dll"));
        start.ArgumentList.Add("bootstrap-admin");
        options.ToList().ForEach(start.ArgumentList.Add);
        start.Environment["Database__Provider"] = Provider.ToString();
        start.Environment["Database__ConnectionString"] = ConnectionString;
        start.Environment["BootstrapAdmin__UserName"] = userName;
        if (password is not null)
        {
            start.Environment["BootstrapAdmin__Password"] = password;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }
}
