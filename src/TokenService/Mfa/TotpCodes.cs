using System.Security.Cryptography;
using OtpNet;

namespace TokenService.Mfa;

/// <summary>
/// TOTP as authenticator apps support it (RFC 6238): HMAC-SHA-1, 6 digits, 30-second steps, 20-byte secrets.
/// A code is accepted for the current step and one step either side (clock drift, typing time).
/// </summary>
internal static class TotpCodes
{
    public const int SecretBytes = 20;
    public const int Digits = 6;
    public const int StepSeconds = 30;
    public const string Algorithm = "SHA1";

    private static readonly VerificationWindow OneStepEitherSide = new(previous: 1, future: 1);

    public static byte[] NewSecret() => RandomNumberGenerator.GetBytes(SecretBytes);

    public static string Encode(byte[] secret) => Base32Encoding.ToString(secret).TrimEnd('=');

    /// <summary>The time step whose code <paramref name="code"/> is, within the window around <paramref name="now"/>; null if none.</summary>
    public static long? MatchStep(byte[] secret, string code, DateTimeOffset now)
    {
        if (code.Length != Digits || !code.All(char.IsAsciiDigit))
        {
            return null;
        }

        var totp = new Totp(secret, StepSeconds, OtpHashMode.Sha1, Digits);
        return totp.VerifyTotp(now.UtcDateTime, code, out var step, OneStepEitherSide) ? step : null;
    }

    /// <summary>The Key URI authenticator apps read from a QR code: <c>otpauth://totp/Issuer:account?secret=…&amp;issuer=…</c>.</summary>
    public static string KeyUri(string issuer, string account, byte[] secret)
    {
        var label = Uri.EscapeDataString(issuer) + ":" + Uri.EscapeDataString(account);
        return $"otpauth://totp/{label}?secret={Encode(secret)}&issuer={Uri.EscapeDataString(issuer)}"
            + $"&algorithm={Algorithm}&digits={Digits}&period={StepSeconds}";
    }
}
