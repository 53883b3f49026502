using System.Collections.Frozen;
using System.Globalization;
using Microsoft.Extensions.Options;
using TokenService.Accounts;

namespace TokenService.Passwords;

/// <summary>
/// Checks a new password: length within bounds, not one of the 30,000 most common passwords (also not one of
/// them followed by digits or symbols, like <c>monkey123456!</c>), and not the user name.
/// </summary>
public sealed class PasswordPolicy(IOptions<PasswordPolicyOptions> options)
{
    private static readonly Lazy<FrozenSet<string>> Common = new(LoadCommonPasswords);

    /// <summary>Returns what is wrong with the password; empty if it is acceptable.</summary>
    public IReadOnlyList<string> Check(string password, string? userName)
    {
        ArgumentNullException.ThrowIfNull(password);
        var settings = options.Value;
        var length = password.EnumerateRunes().Count();
        if (length < settings.MinimumLength)
        {
            return [string.Create(CultureInfo.InvariantCulture, $"The password must have at least {settings.MinimumLength} characters.")];
        }

        if (length > settings.MaximumLength)
        {
            return [string.Create(CultureInfo.InvariantCulture, $"The password must have at most {settings.MaximumLength} characters.")];
        }

        if (IsCommon(password))
        {
            return ["The password is too common."];
        }

        if (userName is not null && UserNames.Normalize(password).Contains(UserNames.Normalize(userName), StringComparison.Ordinal))
        {
            return ["The password must not contain the user name."];
        }

        return [];
    }

    internal static bool IsCommon(string password)
    {
        var lower = password.ToLowerInvariant();
        var stem = lower.TrimEnd("0123456789!@#$%^&*()-_=+.?~ ".ToCharArray());
        return Common.Value.Contains(lower) || (stem.Length >= 4 && Common.Value.Contains(stem));
    }

    private static FrozenSet<string> LoadCommonPasswords()
    {
        using var stream = typeof(PasswordPolicy).Assembly.GetManifestResourceStream("TokenService.Passwords.common-passwords.txt")
            ?? throw new InvalidOperationException("The common-password list is not embedded.");
        using var reader = new StreamReader(stream);
        var passwords = new List<string>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                passwords.Add(line);
            }
        }

        return passwords.ToFrozenSet(StringComparer.Ordinal);
    }
}
