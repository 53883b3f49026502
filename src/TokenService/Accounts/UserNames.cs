using System.Text;

namespace TokenService.Accounts;

/// <summary>One normalisation for user names everywhere: Unicode NFKC, trimmed, compared upper-case invariant.</summary>
public static class UserNames
{
    public static string Normalize(string userName)
    {
        ArgumentNullException.ThrowIfNull(userName);
        return userName.Trim().Normalize(NormalizationForm.FormKC).ToUpperInvariant();
    }
}
