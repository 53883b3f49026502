using System.Net;
using NUnit.Framework;
using OtpNet;
using TokenService.Data;

namespace TokenService.Tests;

/// <summary>A user who has enrolled and confirmed TOTP: their name, id, secret, recovery codes and an identity-api token from before MFA.</summary>
public sealed record MfaUser(string Name, Guid Id, byte[] Secret, IReadOnlyList<string> RecoveryCodes, string Access);

/// <summary>
/// A token service whose tests enroll users in MFA through the account API and compute their codes with Otp.NET
/// on the fixture's clock. Sign-in rate limits are raised: these tests count lockout, not per-address limits.
/// </summary>
public abstract class MfaFixture(DatabaseProvider provider) : TokenServiceFixture(provider)
{
    public const string Password = "mfa-user-long-passphrase";
    public const string MfaGrant = "urn:api-auth-platform:grant-type:mfa";

    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);

    protected override IReadOnlyDictionary<string, string>? ExtraSettings => new Dictionary<string, string>
    {
        ["Accounts:LoginRateLimits:PerAddressPermitLimit"] = "100000",
        ["Accounts:LoginRateLimits:PerAddressAndUserPermitLimit"] = "100000",
    };

    /// <summary>The code an authenticator app shows now, or <paramref name="stepsAgo"/> steps ago.</summary>
    protected string Code(byte[] secret, int stepsAgo = 0) =>
        new Totp(secret).ComputeTotp((Clock.GetUtcNow() - (Step * stepsAgo)).UtcDateTime);

    /// <summary>Moves the clock to the next 30-second step (a code of the previous step is then one step old).</summary>
    protected void NextStep() => Clock.Advance(Step);

    /// <summary>Creates a user, signs in, enrolls and confirms TOTP; the clock ends one step after the confirming code.</summary>
    protected async Task<MfaUser> NewMfaUserAsync()
    {
        var name = $"mfa-{Guid.NewGuid():N}";
        var id = await AddUserAsync(name, Password);
        var (access, _) = await Client.SignInAsync(name, Password);
        var secret = await StartEnrollmentAsync(access);
        using var confirmed = await Client.SendJsonAsync(HttpMethod.Post, "/account/mfa/enrollment/confirm", new { code = Code(secret) }, access);
        Assert.That(confirmed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await confirmed.Content.ReadAsStringAsync());
        var codes = (await confirmed.JsonAsync()).GetProperty("recoveryCodes").EnumerateArray().Select(c => c.GetString()!).ToArray();
        NextStep();
        return new MfaUser(name, id, secret, codes, access);
    }

    /// <summary>Starts an enrollment for the token's user; returns the secret it answered with.</summary>
    protected async Task<byte[]> StartEnrollmentAsync(string access)
    {
        using var enrollment = await Client.SendJsonAsync(HttpMethod.Post, "/account/mfa/enrollment", body: null, access);
        Assert.That(enrollment.StatusCode, Is.EqualTo(HttpStatusCode.OK), await enrollment.Content.ReadAsStringAsync());
        return Base32Encoding.ToBytes((await enrollment.JsonAsync()).GetProperty("secret").GetString());
    }

    /// <summary>The password step for an MFA user: asserts the mfa_required answer and returns its mfa_token.</summary>
    protected async Task<string> MfaTokenAsync(MfaUser user, string? clientAddress = null)
    {
        ArgumentNullException.ThrowIfNull(user);
        using var response = clientAddress is null
            ? await Client.PasswordGrantAsync(user.Name, Password)
            : await Client.PasswordGrantFromAsync(clientAddress, user.Name, Password);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), await response.Content.ReadAsStringAsync());
        return (await response.JsonAsync()).GetProperty("mfa_token").GetString()!;
    }

    /// <summary>The second step: the mfa_token with a TOTP code (<c>otp</c>) or a recovery code.</summary>
    protected Task<HttpResponseMessage> CompleteAsync(
        string mfaToken, string? otp = null, string? recoveryCode = null, HttpClient? through = null, string? clientAddress = null) =>
        (through ?? Client).RequestAsync([
            new("grant_type", MfaGrant), new("client_id", "mobile-app"), new("mfa_token", mfaToken),
            .. otp is null ? [] : new KeyValuePair<string, string>[] { new("otp", otp) },
            .. recoveryCode is null ? [] : new KeyValuePair<string, string>[] { new("recovery_code", recoveryCode) },
        ], clientAddress: clientAddress);
}
