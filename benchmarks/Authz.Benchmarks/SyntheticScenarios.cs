using System.Globalization;
using System.Text.Json.Nodes;

namespace Authz.Benchmarks;

/// <summary>
/// Scenarios whose point is their size (100 misses + 1 match, 1,000 statements). They are generated from a few lines of
/// deterministic rules rather than checked in as thousands of lines of JSON; they go through the same parser, compiler
/// and correctness guard as the files under <c>Scenarios/</c>.
/// </summary>
public static class SyntheticScenarios
{
    private const string Account = "111122223333";
    private const string Principal = "arn:aws:iam::111122223333:user/alice";

    private static readonly string[] Services =
    [
        "s3", "sagemaker", "ecr", "logs", "cloudwatch", "kms", "ec2", "iam", "sts", "ssm",
        "secretsmanager", "dynamodb", "sqs", "sns", "lambda", "glue", "athena", "states", "events", "elasticfilesystem",
    ];

    private static readonly string[] Nouns = ["Object", "Item", "Queue", "Topic", "Function", "Table", "Parameter", "Secret", "Key", "Image"];

    /// <summary>
    /// 100 statements that are all candidates for <c>s3:GetObject</c> (same action, other buckets), so the action index
    /// cannot skip them and each fails on its resource, then 1 statement that matches.
    /// </summary>
    public static Scenario HundredMissesSameAction()
    {
        var statements = new JsonArray();
        for (var i = 0; i < 100; i++)
            statements.Add(Statement($"ReadTeam{i:000}", "Allow", ["s3:GetObject"], [$"arn:aws:s3:::acme-team-{i:000}-data/*"]));
        statements.Add(Statement("ReadTrainingData", "Allow", ["s3:GetObject"], ["arn:aws:s3:::acme-ml-datasets/*"]));
        return Build("hundred-misses-same-action",
            "100 Allow statements on s3:GetObject for other buckets (all index candidates, each fails on its resource), then the one that matches",
            statements, "s3:GetObject", "arn:aws:s3:::acme-ml-datasets/vision/train-00042.tfrecord", "Allow", ["ReadTrainingData"]);
    }

    /// <summary>100 statements on other actions (the action index skips them), then 1 statement that matches.</summary>
    public static Scenario HundredMissesOtherActions()
    {
        var statements = new JsonArray();
        for (var i = 0; i < 100; i++)
        {
            var service = Services[i % 10 + 1]; // never s3
            statements.Add(Statement($"Other{i:000}", "Allow", [$"{service}:Get{Nouns[i / 10]}", $"{service}:List{Nouns[i / 10]}s"],
                [$"arn:aws:{service}:us-east-1:{Account}:{Nouns[i / 10].ToLowerInvariant()}/app-{i:000}"]));
        }
        statements.Add(Statement("ReadTrainingData", "Allow", ["s3:GetObject"], ["arn:aws:s3:::acme-ml-datasets/*"]));
        return Build("hundred-misses-other-actions",
            "100 Allow statements on other services' actions (the action index never visits them), then the one that matches",
            statements, "s3:GetObject", "arn:aws:s3:::acme-ml-datasets/vision/train-00042.tfrecord", "Allow", ["ReadTrainingData"]);
    }

    /// <summary>
    /// 1,000 statements in one identity policy, spread over 20 services: 79% literal actions, 20% service-prefix
    /// wildcards (<c>svc:Get*</c>), 1% wildcard services (<c>*:Describe*</c>, always candidates), about 13% with a
    /// condition and 2.5% Denies. For <c>s3:GetObject</c> about 50 statements are candidates; the match is
    /// statement 980.
    /// </summary>
    public static Scenario ThousandStatements()
    {
        var statements = new JsonArray();
        for (var i = 0; i < 1000; i++)
        {
            var service = Services[i % Services.Length];
            var noun = service == "s3" ? "Object" : Nouns[i / Services.Length % Nouns.Length];
            var resource = service == "s3"
                ? $"arn:aws:s3:::acme-bucket-{i:0000}/*"
                : $"arn:aws:{service}:us-east-1:{Account}:{noun.ToLowerInvariant()}/app-{i:0000}*";
            string[] actions = (i % 100) switch
            {
                99 => ["*:Describe*"],
                _ when i % 10 is 7 or 8 => [$"{service}:{(i % 10 == 7 ? "Get" : "List")}*"],
                _ => [$"{service}:Get{noun}", $"{service}:Put{noun}", $"{service}:Delete{noun}"],
            };
            var effect = i % 50 == 25 || i % 200 == 100 ? "Deny" : "Allow";
            var statement = Statement($"S{i:0000}", effect, actions, [resource]);
            if (i % 10 == 3 || i % 30 == 0)
                statement["Condition"] = new JsonObject { ["StringEquals"] = new JsonObject { ["aws:PrincipalTag/team"] = "${aws:username}" } };
            statements.Add(statement);
        }
        return Build("thousand-statements",
            "1,000 statements over 20 services (literal, service-prefix wildcard and wildcard-service actions, some conditions and denies); the request matches statement 980",
            statements, "s3:GetObject", "arn:aws:s3:::acme-bucket-0980/vision/train-00042.tfrecord", "Allow", ["S0980"]);
    }

    /// <summary>How many statements the action index offers for an action (for the README and the setup log).</summary>
    public static int CandidateCount(Scenario scenario, string action) =>
        scenario.Principal.Identity.SelectMany(p => p.Statements).Count(s => s.MatchesAction(action));

    private static JsonObject Statement(string sid, string effect, string[] actions, string[] resources) => new()
    {
        ["Sid"] = sid,
        ["Effect"] = effect,
        ["Action"] = new JsonArray([.. actions.Select(a => JsonValue.Create(a))]),
        ["Resource"] = new JsonArray([.. resources.Select(r => JsonValue.Create(r))]),
    };

    private static Scenario Build(string name, string description, JsonArray statements, string action, string resource,
        string expected, string[] determining)
    {
        var root = new JsonObject
        {
            ["description"] = description,
            ["principal"] = Principal,
            ["identityPolicies"] = new JsonArray(new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = statements }),
            ["context"] = new JsonObject
            {
                ["aws:username"] = "alice",
                ["aws:PrincipalTag/team"] = "vision",
                ["aws:EpochTime"] = 1777636800.ToString(CultureInfo.InvariantCulture),
            },
            ["requests"] = new JsonObject
            {
                [expected] = new JsonObject
                {
                    ["action"] = action,
                    ["resource"] = resource,
                    ["resourceAccount"] = Account,
                    ["expected"] = expected,
                    ["determining"] = new JsonArray([.. determining.Select(d => JsonValue.Create(d))]),
                },
            },
        };
        return Scenario.FromJson(name, root, Scenario.ScenarioDirectory);
    }
}
