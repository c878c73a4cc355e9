using System.Text.Json;

namespace Authz.Cli.Tests.Admin;

/// <summary>
/// The README / docs/walkthrough.md walkthrough, command for command, against a real server: identities, a managed
/// policy with a principal-tag variable and an IP condition, a resource policy, a guardrail, checks of every kind of
/// decision, and a new policy version seen through <c>--min-revision</c>.
/// </summary>
[Collection(AdminServerCollection.Name)]
public sealed class WalkthroughTests(AdminServerFixture server)
{
    private const string MlDataAccess = """
        {
          "Version": "2012-10-17",
          "Statement": [
            {
              "Sid": "ReadTeamData",
              "Effect": "Allow",
              "Action": ["s3:GetObject", "s3:ListBucket"],
              "Resource": "arn:aws:s3:::ml-data/${aws:PrincipalTag/team}/*",
              "Condition": { "IpAddress": { "aws:SourceIp": "10.20.0.0/16" } }
            },
            {
              "Sid": "ManageTeamModels",
              "Effect": "Allow",
              "Action": ["sagemaker:CreateTrainingJob", "sagemaker:CreateModel", "sagemaker:DeleteModel"],
              "Resource": [
                "arn:aws:sagemaker:us-east-1:TENANT:training-job/${aws:PrincipalTag/team}-*",
                "arn:aws:sagemaker:us-east-1:TENANT:model/${aws:PrincipalTag/team}-*"
              ]
            }
          ]
        }
        """;

    private const string TrainingDataIsAppendOnly = """
        {
          "Version": "2012-10-17",
          "Statement": [{
            "Sid": "TrainingDataIsAppendOnly",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:DeleteObject",
            "Resource": "arn:aws:s3:::BUCKET/*"
          }]
        }
        """;

    private const string ModelDeletionNeedsApproval = """
        {
          "Version": "2012-10-17",
          "Statement": [
            { "Sid": "AllowWhatPoliciesAllow", "Effect": "Allow", "Action": "*", "Resource": "*" },
            {
              "Sid": "NoModelDeletionWithoutApproval",
              "Effect": "Deny",
              "Action": "sagemaker:DeleteModel",
              "Resource": "*",
              "Condition": { "StringNotEquals": { "aws:RequestTag/approval": "approved" } }
            }
          ]
        }
        """;

    [Fact]
    public async Task The_walkthrough_runs_end_to_end()
    {
        var t = AdminServerFixture.NewTenantId();
        // Resource ARNs are global, so each run of the test uses a bucket of its own.
        var bucket = "ml-data-" + t;
        var work = Directory.CreateTempSubdirectory("authz-walkthrough-");
        try
        {
            var revisions = new List<ulong>();
            async Task<CliRun> Write(params string[] args)
            {
                var run = (await server.RunAsync(args)).Succeeded();
                revisions.Add(run.Revision);
                return run;
            }

            var tenant = await Write("tenant", "create", "--tenant", t, "--name", "Acme ML");
            Assert.Equal(t, tenant.Field("tenant_id"));
            Assert.Equal(1UL, tenant.Revision);

            var alice = await Write("user", "create", "--tenant", t, "--user", "alice", "--path", "/data-science/", "--tag", "team=fraud", "--tag", "level=senior");
            Assert.Equal($"arn:aws:iam::{t}:user/data-science/alice", alice.Field("arn"));
            Assert.Equal("team=fraud, level=senior", alice.Field("tags"));
            await Write("group", "create", "--tenant", t, "--group", "data-scientists");

            var policyFile = Path.Combine(work.FullName, "ml-data-access.json");
            await File.WriteAllTextAsync(policyFile, MlDataAccess.Replace("ml-data", bucket, StringComparison.Ordinal).Replace("TENANT", t, StringComparison.Ordinal));
            var policy = await Write("policy", "create", "--tenant", t, "--policy-name", "MlDataAccess", "--document", policyFile);
            var policyArn = $"arn:aws:iam::{t}:policy/MlDataAccess";
            Assert.Equal(policyArn, policy.Field("arn"));
            Assert.Equal("v1", policy.Field("default_version_id"));
            await Write("policy", "attach", "--tenant", t, "--policy-arn", policyArn, "--group", "data-scientists");
            await Write("group", "add-user", "--tenant", t, "--group", "data-scientists", "--user", "alice");

            await Write("resource", "register", "--tenant", t, "--resource-arn", $"arn:aws:s3:::{bucket}", "--tag", "classification=confidential");
            await Write("resource-policy", "put", "--tenant", t, "--resource-arn", $"arn:aws:s3:::{bucket}",
                "--document-json", TrainingDataIsAppendOnly.Replace("BUCKET", bucket, StringComparison.Ordinal));
            var guardrail = (await server.RunWithInputAsync(ModelDeletionNeedsApproval,
                "guardrail", "put", "--tenant", t, "--name", "model-deletion-needs-approval", "--document", "-")).Succeeded();
            revisions.Add(guardrail.Revision);
            Assert.Equal(revisions.Order(), revisions);
            Assert.Equal(revisions.Count, revisions.Distinct().Count());

            var aliceArn = $"arn:aws:iam::{t}:user/data-science/alice";
            var data = $"arn:aws:s3:::{bucket}/fraud/train.csv";
            var model = $"arn:aws:sagemaker:us-east-1:{t}:model/fraud-xgb-3";
            Task<CliRun> Check(params string[] args) => server.RunAsync(["check", "--principal", aliceArn, .. args]);

            var allowed = await Check("--action", "s3:GetObject", "--resource", data, "--context", "aws:SourceIp=10.20.1.5");
            Assert.Equal(0, allowed.ExitCode);
            Assert.Equal("ALLOW", allowed.Field("decision"));
            Assert.Contains($"identity {policyArn} v1 statement[0] (ReadTeamData)", allowed.Output, StringComparison.Ordinal);

            var appendOnly = await Check("--action", "s3:DeleteObject", "--resource", data, "--context", "aws:SourceIp=10.20.1.5");
            Assert.Equal(3, appendOnly.ExitCode);
            Assert.Equal("EXPLICIT_DENY", appendOnly.Field("decision"));
            Assert.Contains($"resource arn:aws:s3:::{bucket} statement[0] (TrainingDataIsAppendOnly)", appendOnly.Output, StringComparison.Ordinal);

            var otherTeam = await Check("--action", "s3:GetObject", "--resource", $"arn:aws:s3:::{bucket}/churn/train.csv", "--context", "aws:SourceIp=10.20.1.5");
            Assert.Equal(3, otherTeam.ExitCode);
            Assert.Equal("IMPLICIT_DENY", otherTeam.Field("decision"));

            var outsideNetwork = await Check("--action", "s3:GetObject", "--resource", data, "--context", "aws:SourceIp=203.0.113.7", "--explain");
            Assert.Equal(3, outsideNetwork.ExitCode);
            Assert.Equal("IMPLICIT_DENY", outsideNetwork.Field("decision"));
            Assert.Contains("condition mismatches:", outsideNetwork.Output, StringComparison.Ordinal);
            Assert.Contains("IpAddress aws:SourceIp: ", outsideNetwork.Output, StringComparison.Ordinal);
            Assert.Contains("203.0.113.7", outsideNetwork.Output, StringComparison.Ordinal);

            var unapproved = await Check("--action", "sagemaker:DeleteModel", "--resource", model);
            Assert.Equal(3, unapproved.ExitCode);
            Assert.Equal("EXPLICIT_DENY", unapproved.Field("decision"));
            Assert.Contains("guardrail model-deletion-needs-approval statement[1] (NoModelDeletionWithoutApproval)", unapproved.Output, StringComparison.Ordinal);
            var approved = await Check("--action", "sagemaker:DeleteModel", "--resource", model, "--context", "aws:RequestTag/approval=approved");
            Assert.Equal(0, approved.ExitCode);

            var v2File = Path.Combine(work.FullName, "ml-data-access-v2.json");
            await File.WriteAllTextAsync(v2File, (await File.ReadAllTextAsync(policyFile)).Replace("\"10.20.0.0/16\"", "[\"10.20.0.0/16\", \"203.0.113.0/24\"]", StringComparison.Ordinal));
            var v2 = (await server.RunAsync("policy", "create-version", "--policy-arn", policyArn, "--document", v2File, "--set-as-default")).Succeeded();
            Assert.Equal("v2", v2.Field("version_id"));
            Assert.True(v2.Revision > revisions[^1]);
            Assert.DoesNotContain("203.0.113.0/24", v2.Output, StringComparison.Ordinal);

            var fresh = await Check("--action", "s3:GetObject", "--resource", data, "--context", "aws:SourceIp=203.0.113.7",
                "--min-revision", v2.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(0, fresh.ExitCode);
            Assert.True(ulong.Parse(fresh.Field("revision"), System.Globalization.CultureInfo.InvariantCulture) >= v2.Revision);
            Assert.Contains($"identity {policyArn} v2 statement[0] (ReadTeamData)", fresh.Output, StringComparison.Ordinal);

            var versions = (await server.RunAsync("policy", "list-versions", "--policy-arn", policyArn)).Succeeded();
            var rows = versions.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.StartsWith("VERSION", rows[0], StringComparison.Ordinal);
            Assert.Matches(@"^v2\s+yes\s+\d{4}-", rows[1]);
            Assert.Matches(@"^v1\s+\d{4}-", rows[2]);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Json_output_is_the_response_message_with_proto_field_names()
    {
        var t = AdminServerFixture.NewTenantId();
        (await server.RunAsync("tenant", "create", "--tenant", t, "--name", "json")).Succeeded();
        var created = (await server.RunAsync("user", "create", "--tenant", t, "--user", "carol", "--tag", "team=ops", "--output", "json")).Succeeded();
        using var user = JsonDocument.Parse(created.Output);
        Assert.Equal("carol", user.RootElement.GetProperty("user").GetProperty("user_name").GetString());
        Assert.Equal("2", user.RootElement.GetProperty("revision").GetString());

        var check = await server.RunAsync("check", "--principal", $"arn:aws:iam::{t}:user/carol", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::x/y", "-o", "json");
        Assert.Equal(3, check.ExitCode);
        using var decision = JsonDocument.Parse(check.Output);
        Assert.Equal("IMPLICIT_DENY", decision.RootElement.GetProperty("decision").GetString());
    }

    [Fact]
    public async Task Lists_follow_every_page_and_print_a_table()
    {
        var t = AdminServerFixture.NewTenantId();
        (await server.RunAsync("tenant", "create", "--tenant", t, "--name", "paging")).Succeeded();
        // One more than the server's default page of 100.
        for (var i = 0; i < 101; i++)
            (await server.RunAsync("user", "create", "--tenant", t, "--user", $"user{i:D3}", "--tag", $"n={i}")).Succeeded();

        var table = (await server.RunAsync("user", "list", "--tenant", t)).Succeeded();
        var rows = table.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(102, rows.Length);
        Assert.Matches(@"^USER\s+PATH\s+ARN\s+TAGS$", rows[0]);
        Assert.Matches($@"^user100\s+/\s+arn:aws:iam::{t}:user/user100\s+n=100$", rows[^1]);

        var json = (await server.RunAsync("user", "list", "--tenant", t, "-o", "json")).Succeeded();
        using var document = JsonDocument.Parse(json.Output);
        Assert.Equal(101, document.RootElement.GetProperty("users").GetArrayLength());
        Assert.Equal("", document.RootElement.GetProperty("next_page_token").GetString());
    }
}
