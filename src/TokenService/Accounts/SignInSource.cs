namespace TokenService.Accounts;

/// <summary>
/// Where a sign-in attempt comes from, as the lockout sees it: the client's address key (null when unknown) and the
/// user's familiar source for it, if any (then its own count judges the attempt, else the account's shared one).
/// </summary>
internal sealed record SignInSource(string? Address, FamiliarSignInSource? Familiar);
