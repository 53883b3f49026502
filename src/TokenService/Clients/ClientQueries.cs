using Microsoft.EntityFrameworkCore;
using TokenService.Data;

namespace TokenService.Clients;

/// <summary>
/// Every token request reads its client: the read is compiled once per host (no expression-tree walk or query-cache
/// look-up per request). A singleton, not static: a compiled query is bound to the first model it runs against, and
/// each host runs one provider's model.
/// </summary>
internal sealed class ClientQueries
{
    public Func<TokenDbContext, string, CancellationToken, Task<Client?>> FindClient { get; } =
        EF.CompileAsyncQuery((TokenDbContext database, string clientId, CancellationToken _) =>
            database.Clients.AsNoTracking().FirstOrDefault(c => c.ClientId == clientId));
}
