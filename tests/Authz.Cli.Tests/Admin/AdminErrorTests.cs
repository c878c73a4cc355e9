using System.Net;
using System.Net.Sockets;

namespace Authz.Cli.Tests.Admin;

/// <summary>
/// How the admin commands report failures: the status code as the contract names it, the message, the google.rpc
/// details in readable lines on standard error, and a non-zero exit code (1 for a refused call, 2 for bad input).
/// </summary>
[Collection(AdminServerCollection.Name)]
public sealed class AdminErrorTests(AdminServerFixture server)
{
    private const string MisspelledOperator = """
        {
          "Version": "2012-10-17",
          "Statement": [{
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::ml-data/*",
            "Condition": { "StringEqualz": { "aws:PrincipalTag/team": "fraud" } }
          }]
        }
        """;

    private const string AllowGet = """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}""";

    private async Task<string> NewTenantAsync()
    {
        var t = AdminServerFixture.NewTenantId();
        (await server.RunAsync("tenant", "create", "--tenant", t, "--name", "errors")).Succeeded();
        return t;
    }

    [Fact]
    public async Task A_bad_policy_document_shows_the_diagnostic_with_line_and_column()
    {
        var t = await NewTenantAsync();
        var file = Path.Combine(Path.GetTempPath(), $"authz-bad-policy-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, MisspelledOperator);
        try
        {
            var run = await server.RunAsync("policy", "create", "--tenant", t, "--policy-name", "Broken", "--document", file);
            Assert.Equal(1, run.ExitCode);
            Assert.Equal("", run.Output);
            Assert.Matches(@"^error: INVALID_ARGUMENT: .*statement\[0\]\.Condition: unknown operator `StringEqualz` \(line 7, column \d+\)", run.Error);

            // Nothing was written: the policy does not exist.
            var get = await server.RunAsync("policy", "get", "--policy-arn", $"arn:aws:iam::{t}:policy/Broken");
            Assert.Equal(1, get.ExitCode);
            Assert.StartsWith("error: NOT_FOUND: ", get.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task An_unknown_user_is_not_found_with_a_non_zero_exit_code()
    {
        var t = await NewTenantAsync();
        var run = await server.RunAsync("user", "get", "--tenant", t, "--user", "nobody");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Output);
        Assert.StartsWith("error: NOT_FOUND: ", run.Error, StringComparison.Ordinal);
        Assert.Contains("`nobody`", run.Error, StringComparison.Ordinal);

        var add = await server.RunAsync("group", "add-user", "--tenant", t, "--group", "missing", "--user", "nobody");
        Assert.Equal(1, add.ExitCode);
        Assert.StartsWith("error: NOT_FOUND: ", add.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_an_attached_policy_prints_the_failed_precondition()
    {
        var t = await NewTenantAsync();
        (await server.RunAsync("user", "create", "--tenant", t, "--user", "dave")).Succeeded();
        var arn = $"arn:aws:iam::{t}:policy/Reader";
        (await server.RunAsync("policy", "create", "--tenant", t, "--policy-name", "Reader", "--document-json", AllowGet)).Succeeded();
        (await server.RunAsync("policy", "attach", "--tenant", t, "--policy-arn", arn, "--user", "dave")).Succeeded();

        var run = await server.RunAsync("policy", "delete", "--policy-arn", arn);
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: FAILED_PRECONDITION: ", run.Error, StringComparison.Ordinal);
        Assert.Contains($"\n  precondition failed (DELETE_CONFLICT) `{arn}`\n", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sixth_policy_version_prints_the_quota_failure()
    {
        var t = await NewTenantAsync();
        var arn = $"arn:aws:iam::{t}:policy/Versioned";
        (await server.RunAsync("policy", "create", "--tenant", t, "--policy-name", "Versioned", "--document-json", AllowGet)).Succeeded();
        for (var i = 2; i <= 5; i++)
            (await server.RunAsync("policy", "create-version", "--policy-arn", arn, "--document-json", AllowGet)).Succeeded();

        var run = await server.RunAsync("policy", "create-version", "--policy-arn", arn, "--document-json", AllowGet);
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith("error: RESOURCE_EXHAUSTED: ", run.Error, StringComparison.Ordinal);
        Assert.Contains($"\n  quota exceeded `{arn}`\n", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_input_is_refused_before_any_call_with_exit_code_2()
    {
        var t = await NewTenantAsync();
        var noDocument = await server.RunAsync("policy", "create", "--tenant", t, "--policy-name", "P");
        Assert.Equal(2, noDocument.ExitCode);
        Assert.Contains("a policy document is required", noDocument.Error, StringComparison.Ordinal);

        var twoDocuments = await server.RunAsync("policy", "create", "--tenant", t, "--policy-name", "P", "--document", "x.json", "--document-json", AllowGet);
        Assert.Equal(2, twoDocuments.ExitCode);

        var missingFile = await server.RunAsync("policy", "create", "--tenant", t, "--policy-name", "P", "--document", "/nonexistent/policy.json");
        Assert.Equal(2, missingFile.ExitCode);
        Assert.Contains("cannot read `/nonexistent/policy.json`: no such file", missingFile.Error, StringComparison.Ordinal);

        var twoEntities = await server.RunAsync("policy", "attach", "--tenant", t, "--policy-arn", $"arn:aws:iam::{t}:policy/P", "--user", "a", "--group", "b");
        Assert.Equal(2, twoEntities.ExitCode);
        Assert.Contains("give exactly one of --user, --group, --role", twoEntities.Error, StringComparison.Ordinal);

        var badTag = await server.RunAsync("user", "create", "--tenant", t, "--user", "erin", "--tag", "no-equals-sign");
        Assert.Equal(2, badTag.ExitCode);
        Assert.Contains("invalid --tag `no-equals-sign`: expected KEY=VALUE", badTag.Error, StringComparison.Ordinal);
        // Nothing was created.
        Assert.Equal(1, (await server.RunAsync("user", "get", "--tenant", t, "--user", "erin")).ExitCode);
    }

    [Fact]
    public async Task Inline_policies_and_boundaries_take_exactly_one_entity()
    {
        var t = await NewTenantAsync();
        (await server.RunAsync("user", "create", "--tenant", t, "--user", "frank")).Succeeded();
        (await server.RunWithInputAsync(AllowGet, "inline-policy", "put", "--tenant", t, "--user", "frank", "--policy-name", "own", "--document", "-")).Succeeded();
        var get = (await server.RunAsync("inline-policy", "get", "--tenant", t, "--user", "frank", "--policy-name", "own")).Succeeded();
        Assert.Contains("\"Action\": \"s3:GetObject\"", get.Output, StringComparison.Ordinal);

        var boundaryArn = $"arn:aws:iam::{t}:policy/Cap";
        (await server.RunAsync("policy", "create", "--tenant", t, "--policy-name", "Cap", "--document-json", AllowGet)).Succeeded();
        (await server.RunAsync("boundary", "put", "--tenant", t, "--user", "frank", "--policy-arn", boundaryArn)).Succeeded();
        Assert.Equal(boundaryArn, (await server.RunAsync("user", "get", "--tenant", t, "--user", "frank")).Succeeded().Field("permissions_boundary"));
        var groupBoundary = await server.RunAsync("boundary", "put", "--tenant", t, "--group", "g", "--policy-arn", boundaryArn);
        Assert.NotEqual(0, groupBoundary.ExitCode);
    }

    [Fact]
    public async Task A_call_without_a_valid_key_is_unauthenticated_with_a_hint()
    {
        var missing = await CliRun.RunAsync("", "tenant", "list", "--target", server.Target);
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith("error: UNAUTHENTICATED: missing credentials", missing.Error, StringComparison.Ordinal);
        Assert.Contains("hint: pass an access key with --api-key or AUTHZ_API_KEY", missing.Error, StringComparison.Ordinal);

        var wrong = await CliRun.RunAsync("", "tenant", "list", "--target", server.Target, "--api-key", "AKIACLITESTBOOTSTRAP.not-the-secret-at-all");
        Assert.Equal(1, wrong.ExitCode);
        Assert.StartsWith("error: UNAUTHENTICATED: invalid credentials", wrong.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-secret-at-all", wrong.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_server_is_unavailable_with_a_hint()
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        var run = await CliRun.RunAsync("", "tenant", "list", "--target", $"127.0.0.1:{port}");
        Assert.Equal(1, run.ExitCode);
        Assert.StartsWith($"error: UNAVAILABLE: cannot reach the Authz server at `127.0.0.1:{port}`", run.Error, StringComparison.Ordinal);
        Assert.Contains("hint: start it with `dotnet run --project src/Authz.Server`", run.Error, StringComparison.Ordinal);

        var badTarget = await CliRun.RunAsync("", "tenant", "list", "--target", "nowhere");
        Assert.Equal(2, badTarget.ExitCode);
        Assert.Contains("error: --target: invalid target `nowhere`", badTarget.Error, StringComparison.Ordinal);
    }
}
