using System.Reflection;
using Xunit.Sdk;

namespace Authz.Storage.Tests;

/// <summary>The databases the storage tests run against.</summary>
public enum Backend
{
    Sqlite,
    Postgres,
}

/// <summary>Supplies the SQLite backend to a theory; always available.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class SqliteDataAttribute : DataAttribute
{
    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[Backend.Sqlite]];
}

/// <summary>
/// Supplies the PostgreSQL backend to a theory when <c>AUTHZ_TEST_POSTGRES</c> holds a connection string; otherwise
/// the case is reported as skipped (never as passed). <c>scripts/ci-services.sh</c> starts a server and sets it.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PostgresDataAttribute : DataAttribute
{
    public const string EnvironmentVariable = "AUTHZ_TEST_POSTGRES";

    public PostgresDataAttribute()
    {
        if (string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(EnvironmentVariable)))
        {
            Skip = $"{EnvironmentVariable} is not set (run `source scripts/ci-services.sh` to start PostgreSQL)";
        }
    }

    public override IEnumerable<object[]> GetData(MethodInfo testMethod) => [[Backend.Postgres]];
}
