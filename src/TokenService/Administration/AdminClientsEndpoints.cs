using System.Linq.Expressions;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using ServiceDefaults.Authorization;
using TokenService.Accounts;
using TokenService.Api;
using TokenService.Audit;
using TokenService.Clients;
using TokenService.Data;
using TokenService.RefreshTokens;
using TokenService.Tokens.Grants;

namespace TokenService.Administration;

/// <summary>
/// Operators manage OAuth clients (permission <c>clients:manage</c>): list, look up, create, change allowances,
/// rotate the secret, disable, enable and delete. Secrets are generated here (256 random bits, base64url), returned
/// exactly once with <c>Cache-Control: no-store</c> and stored only as SHA-256; no response carries a secret's hash.
/// <list type="bullet">
/// <item>Rotation takes an explicit overlap: the old secret keeps working beside the new one for that long (0 to 7
/// days; 0 for a leaked secret), so services move over without downtime; one previous secret at a time, and
/// <c>DELETE …/secret/previous</c> ends the overlap early.</item>
/// <item>Narrowing a client's allowance ends its sessions that hold what was removed (all of them when
/// <c>refresh_token</c> is removed); disabling or deleting ends all of them. A disabled client gets
/// <c>invalid_client</c> everywhere. Access tokens already issued live out their few minutes.</item>
/// <item>An operator cannot disable or delete the client their own token came from (the way back in).</item>
/// <item>A change applies at once on the instance that makes it, and within <see cref="ClientOptions.CacheLifetime"/>
/// on the others (<see cref="ClientCache"/>).</item>
/// </list>
/// </summary>
public static class AdminClientsEndpoints
{
    public const string Permission = "clients:manage";

    /// <summary>Longest overlap of an old secret with its successor.</summary>
    public static readonly TimeSpan MaximumSecretOverlap = TimeSpan.FromDays(7);

    private const int MaximumDisplayNameLength = 256;
    private const int MaximumScopes = 50;
    private const int MaximumAudiences = 20;

    /// <summary>A confidential client gets a generated secret; a public one has none and cannot use <c>client_credentials</c>.</summary>
    public sealed record CreateClientRequest(string ClientId, string DisplayName, bool Confidential, string[] GrantTypes, string[] Scopes, string[] Audiences);

    /// <summary>Replaces the display name and allowances (all required: PUT replaces); confidentiality cannot change.</summary>
    public sealed record UpdateClientRequest(string DisplayName, string[] GrantTypes, string[] Scopes, string[] Audiences);

    /// <summary>How long the current secret keeps authenticating beside the new one, in seconds (0 to 604800).</summary>
    public sealed record RotateSecretRequest(int OverlapSeconds);

    public sealed record ClientView(
        string ClientId, string DisplayName, bool Confidential, string[] GrantTypes, string[] Scopes, string[] Audiences, bool Disabled,
        DateTimeOffset? PreviousSecretExpiresAt);

    /// <summary>The new client and, for a confidential one, its secret: shown this once, never again.</summary>
    public sealed record CreatedClient(ClientView Client, string? ClientSecret);

    public sealed record RotatedSecret(string ClientSecret, DateTimeOffset? PreviousSecretExpiresAt);

    private sealed record Allowance(string DisplayName, List<string> GrantTypes, List<string> Scopes, List<string> Audiences);

    public static IEndpointRouteBuilder MapAdminClients(this IEndpointRouteBuilder endpoints)
    {
        var clients = endpoints.MapGroup("/admin/clients").RequireAuthorization(policy => policy.RequirePermissions(Permission)).DisableAntiforgery();
        clients.MapGet("/", ListAsync);
        clients.MapGet("/{clientId}", GetAsync);
        clients.MapPost("/", CreateAsync);
        clients.MapPut("/{clientId}", UpdateAsync);
        clients.MapPost("/{clientId}/secret", RotateSecretAsync);
        clients.MapDelete("/{clientId}/secret/previous", EndSecretOverlapAsync);
        clients.MapPost("/{clientId}/disable", DisableAsync);
        clients.MapPost("/{clientId}/enable", EnableAsync);
        clients.MapDelete("/{clientId}", DeleteAsync);
        return endpoints;
    }

    private static async Task<Ok<ClientView[]>> ListAsync(TokenDbContext database, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var clients = await database.Clients.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(clients.OrderBy(c => c.ClientId, StringComparer.Ordinal).Select(c => View(c, now)).ToArray());
    }

    private static async Task<Results<Ok<ClientView>, NotFound>> GetAsync(
        string clientId, TokenDbContext database, TimeProvider time, CancellationToken cancellationToken) =>
        await database.Clients.AsNoTracking().FirstOrDefaultAsync(c => c.ClientId == clientId, cancellationToken).ConfigureAwait(false) is { } client
            ? TypedResults.Ok(View(client, time.GetUtcNow()))
            : TypedResults.NotFound();

    private static async Task<Results<Created<CreatedClient>, ProblemHttpResult, ValidationProblem>> CreateAsync(
        HttpRequest httpRequest, ClaimsPrincipal actor, TokenDbContext database, IEnumerable<IGrantHandler> grants, AuditLog audit,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<CreateClientRequest>(httpRequest, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!AdminNames.IsClientId(request!.ClientId))
        {
            errors["clientId"] = [AdminNames.ClientIdRule];
        }

        var allowance = Check(request.Confidential, request.DisplayName, request.GrantTypes, request.Scopes, request.Audiences, grants, errors);
        if (errors.Count > 0)
        {
            return JsonBody.Invalid(errors);
        }

        var taken = TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "A client with this id already exists.");
        if (await database.Clients.AnyAsync(c => c.ClientId == request.ClientId, cancellationToken).ConfigureAwait(false))
        {
            return taken;
        }

        var (secret, secretHash) = request.Confidential ? ClientSecrets.Generate() : default;
        var client = new Client
        {
            ClientId = request.ClientId,
            DisplayName = allowance!.DisplayName,
            SecretHash = secretHash,
            AllowedGrantTypes = allowance.GrantTypes,
            AllowedScopes = allowance.Scopes,
            AllowedAudiences = allowance.Audiences,
        };
        database.Clients.Add(client);
        audit.RecordChange(AuditEventTypes.ClientCreated, actor, $"{(client.IsConfidential ? "confidential" : "public")} {Describe(client)}", client.ClientId);
        try
        {
            await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbUpdateException)
        {
            return taken; // a concurrent request created it between our check and our write
        }

        httpRequest.HttpContext.Response.Headers.CacheControl = "no-store";
        return TypedResults.Created($"/admin/clients/{client.ClientId}", new CreatedClient(View(client, time.GetUtcNow()), secret));
    }

    private static async Task<Results<Ok<ClientView>, NotFound, ProblemHttpResult, ValidationProblem>> UpdateAsync(
        string clientId, HttpRequest httpRequest, ClaimsPrincipal actor, TokenDbContext database, ClientCache clients,
        IEnumerable<IGrantHandler> grants, RefreshTokenService sessions, AuditLog audit, TimeProvider time, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<UpdateClientRequest>(httpRequest, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        var client = await database.Clients.FirstOrDefaultAsync(c => c.ClientId == clientId, cancellationToken).ConfigureAwait(false);
        if (client is null)
        {
            return TypedResults.NotFound();
        }

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var allowance = Check(client.IsConfidential, request!.DisplayName, request.GrantTypes, request.Scopes, request.Audiences, grants, errors);
        if (errors.Count > 0)
        {
            return JsonBody.Invalid(errors);
        }

        var removedScopes = client.AllowedScopes.Except(allowance!.Scopes, StringComparer.Ordinal).ToList();
        var removedAudiences = client.AllowedAudiences.Except(allowance.Audiences, StringComparer.Ordinal).ToList();
        var refreshRemoved = client.AllowedGrantTypes.Contains(RefreshTokenGrantHandler.Name, StringComparer.Ordinal)
            && !allowance.GrantTypes.Contains(RefreshTokenGrantHandler.Name, StringComparer.Ordinal);

        await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        client.DisplayName = allowance.DisplayName;
        client.AllowedGrantTypes = allowance.GrantTypes;
        client.AllowedScopes = allowance.Scopes;
        client.AllowedAudiences = allowance.Audiences;
        audit.RecordChange(AuditEventTypes.ClientUpdated, actor, Describe(client), client.ClientId);
        await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        if (refreshRemoved || removedScopes.Count > 0 || removedAudiences.Count > 0)
        {
            Expression<Func<RefreshTokenFamily, bool>>? holding = refreshRemoved
                ? null
                : f => f.Scopes.Any(s => removedScopes.Contains(s)) || f.Audiences.Any(a => removedAudiences.Contains(a));
            await sessions.RevokeClientSessionsAsync(client.ClientId, "client_allowance_narrowed", holding, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        clients.Forget(client.ClientId);
        return TypedResults.Ok(View(client, time.GetUtcNow()));
    }

    private static async Task<Results<Ok<RotatedSecret>, NotFound, ProblemHttpResult, ValidationProblem>> RotateSecretAsync(
        string clientId, HttpRequest httpRequest, ClaimsPrincipal actor, TokenDbContext database, ClientCache clients, AuditLog audit,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var (request, problem) = await JsonBody.ReadAsync<RotateSecretRequest>(httpRequest, cancellationToken).ConfigureAwait(false);
        if (problem is not null)
        {
            return problem;
        }

        if (request!.OverlapSeconds < 0 || request.OverlapSeconds > MaximumSecretOverlap.TotalSeconds)
        {
            return JsonBody.Invalid(new Dictionary<string, string[]>(StringComparer.Ordinal)
            {
                ["overlapSeconds"] = [$"The overlap is 0 (the current secret stops now) to {MaximumSecretOverlap.TotalSeconds} seconds."],
            });
        }

        var client = await database.Clients.FirstOrDefaultAsync(c => c.ClientId == clientId, cancellationToken).ConfigureAwait(false);
        if (client is null)
        {
            return TypedResults.NotFound();
        }

        if (!client.IsConfidential)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "A public client has no secret to rotate.");
        }

        var (secret, secretHash) = ClientSecrets.Generate();
        var overlap = TimeSpan.FromSeconds(request.OverlapSeconds);
        var keepPrevious = overlap > TimeSpan.Zero;
        client.PreviousSecretHash = keepPrevious ? client.SecretHash : null;
        client.PreviousSecretExpiresAt = keepPrevious ? time.GetUtcNow() + overlap : null;
        client.SecretHash = secretHash;
        audit.RecordChange(AuditEventTypes.ClientSecretRotated, actor, $"previous secret valid for {request.OverlapSeconds} s", client.ClientId);
        await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        clients.Forget(client.ClientId);

        httpRequest.HttpContext.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new RotatedSecret(secret, client.PreviousSecretExpiresAt));
    }

    /// <summary>Idempotent: once every service uses the new secret, the previous one can stop before its overlap ends.</summary>
    private static async Task<Results<NoContent, NotFound>> EndSecretOverlapAsync(
        string clientId, ClaimsPrincipal actor, TokenDbContext database, ClientCache clients, AuditLog audit, CancellationToken cancellationToken)
    {
        var client = await database.Clients.FirstOrDefaultAsync(c => c.ClientId == clientId, cancellationToken).ConfigureAwait(false);
        if (client is null)
        {
            return TypedResults.NotFound();
        }

        if (client.PreviousSecretHash is not null)
        {
            (client.PreviousSecretHash, client.PreviousSecretExpiresAt) = (null, null);
            audit.RecordChange(AuditEventTypes.ClientPreviousSecretRevoked, actor, "previous secret revoked", client.ClientId);
            await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            clients.Forget(client.ClientId);
        }

        return TypedResults.NoContent();
    }

    private static Task<Results<NoContent, NotFound, ProblemHttpResult>> DisableAsync(
        string clientId, ClaimsPrincipal actor, TokenDbContext database, ClientCache clients, RefreshTokenService sessions, AuditLog audit,
        CancellationToken cancellationToken) =>
        EndClientAsync(clientId, delete: false, actor, database, clients, sessions, audit, cancellationToken);

    private static async Task<Results<NoContent, NotFound>> EnableAsync(
        string clientId, ClaimsPrincipal actor, TokenDbContext database, ClientCache clients, AuditLog audit, CancellationToken cancellationToken)
    {
        var client = await database.Clients.FirstOrDefaultAsync(c => c.ClientId == clientId, cancellationToken).ConfigureAwait(false);
        if (client is null)
        {
            return TypedResults.NotFound();
        }

        client.IsDisabled = false;
        audit.RecordChange(AuditEventTypes.ClientEnabled, actor, "enabled", client.ClientId);
        await database.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        clients.Forget(client.ClientId);
        return TypedResults.NoContent();
    }

    private static Task<Results<NoContent, NotFound, ProblemHttpResult>> DeleteAsync(
        string clientId, ClaimsPrincipal actor, TokenDbContext database, ClientCache clients, RefreshTokenService sessions, AuditLog audit,
        CancellationToken cancellationToken) =>
        EndClientAsync(clientId, delete: true, actor, database, clients, sessions, audit, cancellationToken);

    /// <summary>Disables or deletes a client and ends all its sessions, in one transaction; never the caller's own client.</summary>
    private static async Task<Results<NoContent, NotFound, ProblemHttpResult>> EndClientAsync(
        string clientId, bool delete, ClaimsPrincipal actor, TokenDbContext database, ClientCache clients, RefreshTokenService sessions,
        AuditLog audit, CancellationToken cancellationToken)
    {
        if (actor.FindFirstValue(AccessTokenClaims.ClientId) == clientId)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict,
                title: "The client your own token was issued to cannot be disabled or deleted.", detail: "Use a token from another client to do this.");
        }

        var client = await database.Clients.FirstOrDefaultAsync(c => c.ClientId == clientId, cancellationToken).ConfigureAwait(false);
        if (client is null)
        {
            return TypedResults.NotFound();
        }

        await using var transaction = await database.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        if (delete)
        {
            database.Clients.Remove(client);
        }
        else
        {
            client.IsDisabled = true;
        }

        audit.RecordChange(delete ? AuditEventTypes.ClientDeleted : AuditEventTypes.ClientDisabled, actor, delete ? "deleted" : "disabled", client.ClientId);
        await sessions.RevokeClientSessionsAsync(client.ClientId, delete ? "client_deleted" : "client_disabled", holding: null, cancellationToken)
            .ConfigureAwait(false); // saves the change above too
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        clients.Forget(client.ClientId);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Checks a requested display name and allowance into <paramref name="errors"/>: known grant types only (not the MFA
    /// grant, which comes with <c>password</c>), no
    /// <c>client_credentials</c> without a secret, <c>refresh_token</c> only with <c>password</c> (where sessions start),
    /// RFC 6749 scope tokens, at least one audience (every token names one).
    /// </summary>
    private static Allowance? Check(
        bool confidential, string displayName, string[] grantTypes, string[] scopes, string[] audiences, IEnumerable<IGrantHandler> grants,
        Dictionary<string, string[]> errors)
    {
        var name = UserNameRules.CleanText(displayName, MaximumDisplayNameLength, out var nameProblem);
        if (nameProblem is not null)
        {
            errors["displayName"] = [nameProblem];
        }

        var known = grants.Where(g => g.PermittedBy == g.GrantType).Select(g => g.GrantType).Order(StringComparer.Ordinal).ToArray();
        List<string> grantProblems = [];
        if (grantTypes.Length == 0 || grantTypes.Any(g => !known.Contains(g, StringComparer.Ordinal)))
        {
            grantProblems.Add($"Grant types are one or more of: {string.Join(", ", known)}.");
        }

        if (!confidential && grantTypes.Contains(ClientCredentialsGrantHandler.Name, StringComparer.Ordinal))
        {
            grantProblems.Add("A public client cannot use client_credentials: it has no secret to prove who it is.");
        }

        if (grantTypes.Contains(RefreshTokenGrantHandler.Name, StringComparer.Ordinal) && !grantTypes.Contains(PasswordGrantHandler.Name, StringComparer.Ordinal))
        {
            grantProblems.Add("refresh_token needs the password grant: sessions start at a password sign-in.");
        }

        if (grantProblems.Count > 0)
        {
            errors["grantTypes"] = [.. grantProblems];
        }

        if (scopes.Length > MaximumScopes || !scopes.All(AdminNames.IsScopeToken))
        {
            errors["scopes"] = [$"At most {MaximumScopes} scopes. {AdminNames.ScopeRule}"];
        }

        if (audiences.Length is 0 or > MaximumAudiences || !audiences.All(AdminNames.IsScopeToken))
        {
            errors["audiences"] = [$"1 to {MaximumAudiences} audiences. {AdminNames.AudienceRule}"];
        }

        return errors.Count > 0 ? null : new Allowance(name!, Distinct(grantTypes), Distinct(scopes), Distinct(audiences));

        static List<string> Distinct(string[] values) => [.. values.Distinct(StringComparer.Ordinal)];
    }

    private static string Describe(Client client) =>
        $"grants [{string.Join(' ', client.AllowedGrantTypes)}] scopes [{string.Join(' ', client.AllowedScopes)}] audiences [{string.Join(' ', client.AllowedAudiences)}]";

    private static ClientView View(Client client, DateTimeOffset now) => new(
        client.ClientId, client.DisplayName, client.IsConfidential, [.. client.AllowedGrantTypes], [.. client.AllowedScopes], [.. client.AllowedAudiences],
        client.IsDisabled, client.PreviousSecretExpiresAt > now ? client.PreviousSecretExpiresAt : null);
}
