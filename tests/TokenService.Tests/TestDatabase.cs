using NUnit.Framework;
using TestSupport;

namespace TokenService.Tests;

/// <summary>One throwaway PostgreSQL server for the whole test assembly; each fixture gets its own database.</summary>
[SetUpFixture]
public sealed class TestDatabase : SharedPostgresServer<TestDatabase>;
