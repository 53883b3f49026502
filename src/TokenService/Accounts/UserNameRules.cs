using System.Globalization;
using System.Net.Mail;
using System.Text;

namespace TokenService.Accounts;

/// <summary>
/// What a new user name or e-mail address may contain, checked on the NFKC form that is stored: letters (with
/// their combining marks), digits and <c>. - _ @ +</c>, nothing invisible or direction-changing (control and
/// format characters, separators, unpaired surrogates), at most <see cref="MaximumLength"/> characters.
/// </summary>
public static class UserNameRules
{
    public const int MaximumLength = 64;
    public const int MaximumEmailLength = 254;

    /// <summary>The NFKC, trimmed form to store, or null with the reason it cannot be a user name.</summary>
    public static string? Clean(string? userName, out string? problem)
    {
        if (!TryNormalize(userName, MaximumLength, out var clean, out problem))
        {
            return null;
        }

        for (var i = 0; i < clean.Length; i++)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(clean, i);
            var allowed = char.IsLetterOrDigit(clean, i) || clean[i] is '.' or '-' or '_' or '@' or '+'
                || (i > 0 && category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark);
            if (!allowed)
            {
                problem = "The user name may contain only letters, digits and . - _ @ +.";
                return null;
            }
        }

        return clean;
    }

    /// <summary>The NFKC, trimmed address to store, or null with the reason it is not an acceptable e-mail address.</summary>
    public static string? CleanEmail(string? email, out string? problem)
    {
        if (!TryNormalize(email, MaximumEmailLength, out var clean, out problem))
        {
            return null;
        }

        if (clean.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '"' or '<' or '>' or '(' or ')' or ',' or ';' or '\\')
            || !MailAddress.TryCreate(clean, out var address) || address.Address != clean || !address.Host.Contains('.', StringComparison.Ordinal))
        {
            problem = "The e-mail address is not valid.";
            return null;
        }

        return clean;
    }

    /// <summary>
    /// A free-text label (a display name, a description): the NFKC, trimmed form, or null with the reason it cannot be
    /// one (empty, too long, invisible or control characters).
    /// </summary>
    public static string? CleanText(string? value, int maximumLength, out string? problem) =>
        TryNormalize(value, maximumLength, out var clean, out problem) ? clean : null;

    private static bool TryNormalize(string? value, int maximumLength, out string clean, out string? problem)
    {
        clean = "";
        if (string.IsNullOrWhiteSpace(value))
        {
            problem = "A value is required.";
            return false;
        }

        if (value.Length > 4 * maximumLength)
        {
            problem = $"The value must have at most {maximumLength} characters.";
            return false;
        }

        if (!IsWellFormed(value) || value.Any(c => char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse))
        {
            problem = "The value contains invisible or control characters, or is not valid Unicode.";
            return false;
        }

        clean = value.Trim().Normalize(NormalizationForm.FormKC);
        if (clean.EnumerateRunes().Count() > maximumLength)
        {
            problem = $"The value must have at most {maximumLength} characters.";
            return false;
        }

        problem = null;
        return true;
    }

    private static bool IsWellFormed(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return false;
            }
        }

        return true;
    }
}
