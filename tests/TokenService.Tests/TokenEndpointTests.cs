using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using NUnit.Framework;
using TokenService.Data;
using TokenService.Passwords;

namespace TokenService.Tests;

[TestFixture(DatabaseProvider.Postgres)]
[TestFixture(DatabaseProvider.Sqlite)]
public sealed class TokenEndpointTests(DatabaseProvider provider) : TokenServiceFixture(provider)
{
    private const string DisabledUser = "mallory";
    private const string DisabledUserPassword = "mallory-password-for-tests";
    private const string LockedUser = "trudy";
    private const string LockedUserPassword = "trudy-password-for-tests";

    [OneTimeSetUp]
    public async Task AddDisabledAndLockedUsers()
    {
        await AddUserAsync(DisabledUser, DisabledUserPassword, user => user.IsDisabled = true);
        await AddUserAsync(LockedUser, LockedUserPassword, user => user.LockoutEndsAt = Clock.GetUtcNow().AddDays(1));
    }

    [Test]
    public async Task A_password_grant_token_verifies_against_the_published_keys()
    {
        var token = await Client.PasswordGrantAsync("alice", TokenServiceHost.UserPassword).AccessTokenAsync();

        var result = await ValidateAsync(token, "orders-api");

        Assert.That(result.IsValid, Is.True, () => result.Exception?.Message ?? "");
    }

    [Test]
    public async Task The_access_token_header_names_RS256_its_key_and_the_at_jwt_type()
    {
        var token = new JsonWebToken(await Client.PasswordGrantAsync("alice", TokenServiceHost.UserPassword).AccessTokenAsync());

        Assert.Multiple(() =>
        {
            Assert.That(token.Alg, Is.EqualTo("RS256"));
            Assert.That(token.Typ, Is.EqualTo("at+jwt"));
            Assert.That(token.Kid, Is.Not.Empty);
        });
    }

    [Test]
    public async Task A_user_token_carries_the_users_roles_permissions_and_sign_in_method()
    {
        var token = new JsonWebToken(await Client.PasswordGrantAsync("admin", TokenServiceHost.AdminPassword).AccessTokenAsync());

        Assert.Multiple(() =>
        {
            Assert.That(token.Issuer, Is.EqualTo(TokenServiceHost.Issuer));
            Assert.That(token.Audiences, Is.EquivalentTo(new[] { "orders-api", "inventory-api", "identity-api" }));
            Assert.That(token.GetClaim("client_id").Value, Is.EqualTo("mobile-app"));
            Assert.That(token.GetClaim("scope").Value, Is.EqualTo("orders inventory"));
            Assert.That(token.Claims.Where(c => c.Type == "roles").Select(c => c.Value), Is.EquivalentTo(new[] { "admin", "user" }));
            Assert.That(token.Claims.Where(c => c.Type == "permissions").Select(c => c.Value), Does.Contain("orders:admin").And.Contain("inventory:write"));
            Assert.That(token.GetClaim("amr").Value, Is.EqualTo("pwd"));
            Assert.That(token.TryGetClaim("auth_time", out _), Is.True);
            Assert.That(token.Id, Is.Not.Empty);
            Assert.That(token.ValidTo - token.IssuedAt, Is.EqualTo(TimeSpan.FromMinutes(5)));
            Assert.That(token.ValidFrom, Is.EqualTo(token.IssuedAt));
        });
    }

    [Test]
    public async Task A_client_credentials_token_is_issued_to_the_client_itself_without_user_rights()
    {
        var token = new JsonWebToken(await Client.ClientCredentialsAsync("orders-service", TokenServiceHost.OrdersServiceSecret).AccessTokenAsync());

        Assert.Multiple(() =>
        {
            Assert.That(token.Subject, Is.EqualTo("orders-service"));
            Assert.That(token.GetClaim("client_id").Value, Is.EqualTo("orders-service"));
            Assert.That(token.Audiences, Is.EqualTo(new[] { "inventory-api" }));
            Assert.That(token.GetClaim("scope").Value, Is.EqualTo("inventory:reserve"));
            Assert.That(token.TryGetClaim("permissions", out _), Is.False);
            Assert.That(token.TryGetClaim("roles", out _), Is.False);
        });
    }

    [Test]
    public async Task A_client_may_authenticate_with_client_secret_post()
    {
        using var response = await Client.RequestAsync([
            new("grant_type", "client_credentials"), new("client_id", "reporting-service"), new("client_secret", TokenServiceHost.ReportingServiceSecret),
        ]);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Token_responses_must_not_be_cached()
    {
        using var response = await Client.PasswordGrantAsync("alice", TokenServiceHost.UserPassword);

        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
            Assert.That(response.Headers.Pragma.ToString(), Is.EqualTo("no-cache"));
        });
    }

    [Test]
    public async Task Unknown_user_wrong_password_locked_and_disabled_accounts_get_byte_identical_answers()
    {
        var answers = new List<string>();
        var attempts = new[] { ("nobody", "whatever-password"), ("alice", "wrong-password"), (LockedUser, LockedUserPassword), (DisabledUser, DisabledUserPassword) };
        foreach (var (user, password) in attempts)
        {
            using var response = await Client.PasswordGrantAsync(user, password);
            answers.Add(await response.WholeAnswerAsync());
        }

        Assert.That(answers.Distinct().Count(), Is.EqualTo(1), string.Join("\n---\n", answers));
        Assert.That(answers[0], Does.StartWith("400").And.Contain("""{"error":"invalid_grant","error_description":"The user name or password is incorrect."}"""));
    }

    [Test]
    public async Task A_password_stored_with_two_lanes_signs_in_and_is_stored_again_with_one_that_verifies()
    {
        var id = await AddUserAsync("legacy-lanes", StoredHashes.Password, user => user.PasswordHash = StoredHashes.KonsciousTwoLanes);

        using var response = await Client.PasswordGrantAsync("legacy-lanes", StoredHashes.Password);
        var stored = "";
        await ChangeStoreAsync(async (database, _) => stored = (await database.Users.SingleAsync(u => u.Id == id)).PasswordHash);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(stored, Does.StartWith("$argon2id$v=19$m=19456,t=2,p=1$"));
            Assert.That(new Argon2idPasswordHasher(Options.Create(new PasswordHashingOptions())).Verify(stored, StoredHashes.Password),
                Is.EqualTo(PasswordVerificationResult.Success));
        });
    }

    [Test]
    public async Task User_names_are_matched_after_normalisation()
    {
        using var response = await Client.PasswordGrantAsync("  ALICE ", TokenServiceHost.UserPassword);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_wrong_client_secret_is_invalid_client_with_a_Basic_challenge()
    {
        using var response = await Client.ClientCredentialsAsync("orders-service", "not-the-secret");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Is.EqualTo("Basic realm=\"token\", charset=\"UTF-8\""));
            Assert.That(await ErrorOf(response), Is.EqualTo("invalid_client"));
        });
    }

    [Test]
    public async Task An_unknown_client_is_invalid_client()
    {
        using var response = await Client.ClientCredentialsAsync("no-such-client", TokenServiceHost.OrdersServiceSecret);

        Assert.That(await ErrorOf(response), Is.EqualTo("invalid_client"));
    }

    [Test]
    public async Task Using_two_client_authentication_methods_is_an_invalid_request()
    {
        using var response = await Client.ClientCredentialsAsync("orders-service", TokenServiceHost.OrdersServiceSecret,
            ("client_secret", TokenServiceHost.OrdersServiceSecret));

        Assert.That(await ErrorOf(response), Is.EqualTo("invalid_request"));
    }

    [Test]
    public async Task A_confidential_client_cannot_pose_as_public_by_leaving_out_its_secret()
    {
        using var response = await Client.RequestAsync([new("grant_type", "client_credentials"), new("client_id", "orders-service")]);

        Assert.That(await ErrorOf(response), Is.EqualTo("invalid_client"));
    }

    [Test]
    public async Task A_client_may_not_use_a_grant_it_is_not_allowed()
    {
        using var response = await Client.RequestAsync([
            new("grant_type", "password"), new("username", "alice"), new("password", TokenServiceHost.UserPassword),
        ], ("orders-service", TokenServiceHost.OrdersServiceSecret));

        Assert.That(await ErrorOf(response), Is.EqualTo("unauthorized_client"));
    }

    [TestCaseSource(nameof(MalformedRequests))]
    public async Task A_malformed_request_is_refused_with_the_RFC_6749_error(HttpContent content, string expectedError)
    {
        using (content)
        {
            using var response = await Client.PostAsync("/connect/token", content);

            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await ErrorOf(response), Is.EqualTo(expectedError));
        }
    }

    [Test]
    public async Task A_scope_beyond_the_clients_allowance_is_invalid_scope()
    {
        using var response = await Client.PasswordGrantAsync("alice", TokenServiceHost.UserPassword, ("scope", "orders admin"));

        Assert.That(await ErrorOf(response), Is.EqualTo("invalid_scope"));
    }

    [Test]
    public async Task A_resource_parameter_narrows_the_audience()
    {
        var token = new JsonWebToken(await Client.PasswordGrantAsync("alice", TokenServiceHost.UserPassword, ("resource", "orders-api")).AccessTokenAsync());

        Assert.That(token.Audiences, Is.EqualTo(new[] { "orders-api" }));
    }

    [Test]
    public async Task A_resource_beyond_the_clients_allowance_is_invalid_target()
    {
        using var response = await Client.PasswordGrantAsync("alice", TokenServiceHost.UserPassword, ("resource", "billing-api"));

        Assert.That(await ErrorOf(response), Is.EqualTo("invalid_target"));
    }

    [Test]
    public async Task The_JWKS_publishes_public_key_parameters_only_with_a_cache_lifetime()
    {
        using var response = await Client.GetAsync("/.well-known/jwks.json");
        var keys = (await response.JsonAsync()).GetProperty("keys").EnumerateArray().ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(keys, Is.Not.Empty);
            Assert.That(keys.SelectMany(k => k.EnumerateObject().Select(p => p.Name)).Distinct(),
                Is.EquivalentTo(new[] { "kty", "use", "alg", "kid", "n", "e" }));
            Assert.That(response.Headers.CacheControl?.MaxAge, Is.EqualTo(TimeSpan.FromMinutes(5)));
        });
    }

    [Test]
    public async Task Discovery_names_the_configured_issuer_and_where_the_keys_are()
    {
        using var response = await Client.GetAsync("/.well-known/openid-configuration");
        var metadata = await response.JsonAsync();

        Assert.Multiple(() =>
        {
            Assert.That(metadata.GetProperty("issuer").GetString(), Is.EqualTo(TokenServiceHost.Issuer));
            Assert.That(metadata.GetProperty("jwks_uri").GetString(), Does.EndWith("/.well-known/jwks.json"));
            Assert.That(metadata.GetProperty("token_endpoint").GetString(), Does.EndWith("/connect/token"));
        });
    }

    [Test]
    public async Task Readiness_checks_the_database()
    {
        using var response = await Client.GetAsync("/health/ready");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Private_keys_are_stored_sealed_not_in_the_clear()
    {
        byte[] sealedKey = [];
        await ChangeStoreAsync(async (database, _) => sealedKey = (await database.SigningKeys.FirstAsync()).SealedPrivateKey);

        Assert.That(() => System.Security.Cryptography.RSA.Create().ImportPkcs8PrivateKey(sealedKey, out _),
            Throws.InstanceOf<System.Security.Cryptography.CryptographicException>());
    }

    private static IEnumerable<TestCaseData> MalformedRequests()
    {
        yield return new TestCaseData(new StringContent("""{"grant_type":"password"}""", System.Text.Encoding.UTF8, "application/json"), "invalid_request")
            .SetArgDisplayNames("JSON body");
        yield return new TestCaseData(Form(("client_id", "mobile-app")), "invalid_request").SetArgDisplayNames("no grant_type");
        yield return new TestCaseData(Form(("grant_type", "password"), ("grant_type", "password"), ("client_id", "mobile-app")), "invalid_request")
            .SetArgDisplayNames("repeated parameter");
        yield return new TestCaseData(Form(("grant_type", "implicit"), ("client_id", "mobile-app")), "unsupported_grant_type")
            .SetArgDisplayNames("unsupported grant");
        yield return new TestCaseData(Form(("grant_type", "password"), ("client_id", "mobile-app"), ("username", "alice")), "invalid_request")
            .SetArgDisplayNames("no password");
        yield return new TestCaseData(Form(("grant_type", "password"), ("client_id", "mobile-app"), ("username", new string('a', 300)), ("password", "x")), "invalid_request")
            .SetArgDisplayNames("oversized user name");
        yield return new TestCaseData(Form(("grant_type", "password"), ("client_id", "mobile-app"), ("username", "alice"), ("password", new string('p', 5000))), "invalid_request")
            .SetArgDisplayNames("oversized password");
    }

    private static FormUrlEncodedContent Form(params (string Name, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value)));

    private static async Task<string?> ErrorOf(HttpResponseMessage response) =>
        (await response.JsonAsync()).GetProperty("error").GetString();

    private async Task<TokenValidationResult> ValidateAsync(string token, string audience)
    {
        var jwks = new JsonWebKeySet(await Client.GetStringAsync("/.well-known/jwks.json"));
        return await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = TokenServiceHost.Issuer,
            ValidAudience = audience,
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            ValidTypes = ["at+jwt"],
        });
    }
}
