using Microsoft.EntityFrameworkCore;

namespace TokenService.Data;

public sealed class PostgresTokenDbContext(DbContextOptions<PostgresTokenDbContext> options) : TokenDbContext(options);
