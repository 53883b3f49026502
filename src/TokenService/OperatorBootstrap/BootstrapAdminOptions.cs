namespace TokenService.OperatorBootstrap;

/// <summary>
/// The first operator, created by <c>TokenService bootstrap-admin</c> (bound from <c>BootstrapAdmin</c>; in Kubernetes
/// from a Secret as <c>BootstrapAdmin__UserName</c> and <c>BootstrapAdmin__Password</c>). Read only by that command,
/// and validated when it runs: both are required, and the password must not come from the command line (it would
/// show in process lists and shell history).
/// </summary>
public sealed class BootstrapAdminOptions
{
    public const string SectionName = "BootstrapAdmin";

    /// <summary>User name of the operator (same rules as every user name). No default.</summary>
    public string UserName { get; set; } = "";

    /// <summary>The operator's password; must pass the password policy. No default.</summary>
    public string Password { get; set; } = "";
}
