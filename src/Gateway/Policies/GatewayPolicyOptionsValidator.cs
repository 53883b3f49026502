using Microsoft.Extensions.Options;

namespace Gateway.Policies;

internal sealed class GatewayPolicyOptionsValidator : IValidateOptions<GatewayPolicyOptions>
{
    public ValidateOptionsResult Validate(string? name, GatewayPolicyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var invalid = options.Policies
            .Where(entry => entry.Value.RequiredScopes.Concat(entry.Value.RequiredPermissions).Concat(entry.Value.RequiredRoles).Any(string.IsNullOrWhiteSpace))
            .Select(entry => entry.Key)
            .ToList();
        return invalid.Count == 0
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Gateway:Policies entries must not contain empty scope, permission or role names ({string.Join(", ", invalid)}).");
    }
}
