using System.Globalization;
using Authz.V1;

namespace Authz.Population;

/// <summary>The four kinds of principal of the ML platform population.</summary>
public enum PrincipalKind
{
    /// <summary>A user in the <c>data-scientists</c> group.</summary>
    DataScientist,
    /// <summary>A user in the <c>mlops-engineers</c> group.</summary>
    MlOpsEngineer,
    /// <summary>A session of the <c>TrainingJobRole</c> role (a running training job).</summary>
    TrainingJob,
    /// <summary>A session of the <c>InferenceEndpointRole</c> role (a serving endpoint).</summary>
    InferenceEndpoint,
}

/// <summary>One principal of the population. Users carry a user name; sessions carry their role and session name.</summary>
public sealed record PopulationPrincipal(int Index, string TenantId, PrincipalKind Kind, string Arn, string Name, string Team)
{
    /// <summary>Whether the principal is a user (and must be created), rather than a session of a seeded role.</summary>
    public bool IsUser => Kind is PrincipalKind.DataScientist or PrincipalKind.MlOpsEngineer;
}

/// <summary>One check of the workload with the decision the population's policies must produce.</summary>
public sealed record PopulationCheck(string Name, Decision Expected, AuthorizeRequest Request);

/// <summary>A managed policy of a tenant: where it is attached is said by the groups and roles that name it.</summary>
public sealed record ManagedPolicySpec(string Name, string Document)
{
    /// <summary>The path of every seeded managed policy.</summary>
    public const string PolicyPath = "/ml-platform/";

    /// <summary>The policy ARN in <paramref name="tenantId"/>.</summary>
    public string Arn(string tenantId) => $"arn:aws:iam::{tenantId}:policy{PolicyPath}{Name}";
}

/// <summary>A group and the managed policies attached to it.</summary>
public sealed record GroupSpec(string Name, IReadOnlyList<string> Policies);

/// <summary>A role with its trust policy, tags and attached managed policies.</summary>
public sealed record RoleSpec(string Name, string TrustPolicy, string Description, IReadOnlyList<Tag> Tags, IReadOnlyList<string> Policies);

/// <summary>A registered resource (a bucket), with its tags and optional resource policy.</summary>
public sealed record ResourceSpec(string Arn, IReadOnlyList<Tag> Tags, string? Policy);

/// <summary>Everything seeded in one tenant besides its users.</summary>
public sealed record TenantPlan(
    string TenantId,
    string Name,
    IReadOnlyList<ManagedPolicySpec> Policies,
    IReadOnlyList<GroupSpec> Groups,
    IReadOnlyList<RoleSpec> Roles,
    IReadOnlyList<ResourceSpec> Resources,
    string GuardrailName,
    string Guardrail);

/// <summary>
/// A realistic ML platform population, the same every time for the same sizes, so a target seeded once can be driven
/// again without seeding. Each tenant holds four managed policies (data scientist, MLOps, training job, inference
/// endpoint) with conditions on <c>aws:SourceIp</c>, <c>aws:RequestTag/team</c>, <c>aws:PrincipalTag/department</c>
/// and the variables <c>${aws:username}</c> and <c>${aws:PrincipalTag/team}</c>; two groups; three roles with trust
/// policies; three buckets, two of them with resource policies; and a guardrail. Principals are users of the two
/// groups and sessions of the two workload roles, in a repeating pattern of ten: six data scientists, two MLOps
/// engineers, one training job and one inference endpoint. Principal 0 is a data scientist.
/// </summary>
public sealed class MlPlatformPopulation
{
    /// <summary>Tenant ids are this number plus 1, 2, ...: 12 digits.</summary>
    public const long TenantIdBase = 700_000_000_000;

    /// <summary>The teams users and jobs belong to (the <c>team</c> tag).</summary>
    public static readonly string[] Teams = ["vision", "nlp", "recsys", "speech"];

    private static readonly PrincipalKind[] KindPattern =
    [
        PrincipalKind.DataScientist, PrincipalKind.DataScientist, PrincipalKind.MlOpsEngineer, PrincipalKind.DataScientist,
        PrincipalKind.TrainingJob, PrincipalKind.DataScientist, PrincipalKind.DataScientist, PrincipalKind.MlOpsEngineer,
        PrincipalKind.DataScientist, PrincipalKind.InferenceEndpoint,
    ];

    /// <summary>The request-context address of the corporate network (allowed by the bucket and MLOps policies).</summary>
    private const string OutsideNetworkPrefix = "203.0.113.";

    private readonly TenantPlan[] _tenants;

    /// <summary>Describes a population of <paramref name="principals"/> principals spread round robin over <paramref name="tenants"/> tenants.</summary>
    public MlPlatformPopulation(int tenants, int principals)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tenants, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(tenants, 1000);
        ArgumentOutOfRangeException.ThrowIfLessThan(principals, 1);
        TenantCount = tenants;
        PrincipalCount = principals;
        _tenants = [.. Enumerable.Range(1, tenants).Select(t => BuildTenant((TenantIdBase + t).ToString(CultureInfo.InvariantCulture), principals))];
    }

    /// <summary>The number of tenants.</summary>
    public int TenantCount { get; }

    /// <summary>The number of principals (users and sessions).</summary>
    public int PrincipalCount { get; }

    /// <summary>The tenants and what is seeded in each.</summary>
    public IReadOnlyList<TenantPlan> Tenants => _tenants;

    /// <summary>The group every user of a kind joins.</summary>
    public static string GroupOf(PrincipalKind kind) => kind switch
    {
        PrincipalKind.DataScientist => "data-scientists",
        PrincipalKind.MlOpsEngineer => "mlops-engineers",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "only users join groups"),
    };

    /// <summary>The role whose sessions a workload kind uses.</summary>
    public static string RoleOf(PrincipalKind kind) => kind switch
    {
        PrincipalKind.TrainingJob => "TrainingJobRole",
        PrincipalKind.InferenceEndpoint => "InferenceEndpointRole",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "only workloads assume roles"),
    };

    /// <summary>The principal at <paramref name="index"/> (0-based).</summary>
    public PopulationPrincipal Principal(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, PrincipalCount);
        var tenant = _tenants[index % TenantCount].TenantId;
        var kind = KindPattern[index % KindPattern.Length];
        var team = Teams[index / KindPattern.Length % Teams.Length];
        var number = index.ToString("D6", CultureInfo.InvariantCulture);
        return kind switch
        {
            PrincipalKind.DataScientist => new(index, tenant, kind, $"arn:aws:iam::{tenant}:user/ml-platform/ds-{number}", $"ds-{number}", team),
            PrincipalKind.MlOpsEngineer => new(index, tenant, kind, $"arn:aws:iam::{tenant}:user/ml-platform/mlops-{number}", $"mlops-{number}", team),
            PrincipalKind.TrainingJob => new(index, tenant, kind, $"arn:aws:sts::{tenant}:assumed-role/TrainingJobRole/job-{number}", $"job-{number}", team),
            _ => new(index, tenant, kind, $"arn:aws:sts::{tenant}:assumed-role/InferenceEndpointRole/endpoint-{number}", $"endpoint-{number}", team),
        };
    }

    /// <summary>The path every seeded user has.</summary>
    public const string UserPath = "/ml-platform/";

    /// <summary>The tags of a seeded user (<c>aws:PrincipalTag/...</c>).</summary>
    public static IReadOnlyList<Tag> UserTags(PopulationPrincipal user) =>
    [
        new Tag { Key = "team", Value = user.Team },
        new Tag { Key = "department", Value = "ml-platform" },
        new Tag { Key = "cost-center", Value = "cc-" + (4100 + Array.IndexOf(Teams, user.Team)).ToString(CultureInfo.InvariantCulture) },
    ];

    /// <summary>
    /// Every check of the workload for one principal: for each kind at least one allowed, one explicitly denied and
    /// one implicitly denied request, each with the decision the policies produce.
    /// </summary>
    public IReadOnlyList<PopulationCheck> Checks(PopulationPrincipal p)
    {
        var t = p.TenantId;
        var i = p.Index;
        var other = Teams[(Array.IndexOf(Teams, p.Team) + 1) % Teams.Length];
        var corpIp = string.Create(CultureInfo.InvariantCulture, $"10.{(i >> 16) & 255}.{(i >> 8) & 255}.{i & 255}");
        var outsideIp = OutsideNetworkPrefix + (1 + i % 250).ToString(CultureInfo.InvariantCulture);
        var dataset = $"arn:aws:s3:::{DatasetsBucket(t)}/teams/{p.Team}/dataset-{i % 50:D2}/part-{i % 1000:D5}.parquet";
        var otherDataset = $"arn:aws:s3:::{DatasetsBucket(t)}/teams/{other}/dataset-{i % 50:D2}/part-{i % 1000:D5}.parquet";
        var model = $"arn:aws:s3:::{ModelsBucket(t)}/{p.Team}/model-{i % 30:D2}/model.tar.gz";
        var productionModel = $"arn:aws:s3:::{ModelsBucket(t)}/production/{p.Team}-model-{i % 30:D2}/model.tar.gz";
        var endpoint = $"arn:aws:sagemaker:us-east-1:{t}:endpoint/{p.Team}-model-{i % 30:D2}";

        PopulationCheck Check(string name, Decision expected, string action, string resource, params (string Key, string Value)[] context)
        {
            var request = new AuthorizeRequest { Principal = p.Arn, Action = action, Resource = resource };
            foreach (var (key, value) in context)
                request.Context[key] = new ContextValues { Values = { value } };
            return new PopulationCheck(name, expected, request);
        }

        const string SourceIp = "aws:SourceIp", Region = "aws:RequestedRegion", TeamTag = "aws:RequestTag/team", Encryption = "s3:x-amz-server-side-encryption";
        return p.Kind switch
        {
            PrincipalKind.DataScientist =>
            [
                Check("ds/read-team-dataset", Decision.Allow, "s3:GetObject", dataset, (SourceIp, corpIp)),
                Check("ds/write-own-scratch", Decision.Allow, "s3:PutObject",
                    $"arn:aws:s3:::{ScratchBucket(t)}/home/{p.Name}/notebooks/experiment-{i % 20:D2}.ipynb", (SourceIp, corpIp)),
                Check("ds/train-with-team-tag", Decision.Allow, "sagemaker:CreateTrainingJob",
                    $"arn:aws:sagemaker:us-east-1:{t}:training-job/{p.Name}-run-{i % 100:D3}", (TeamTag, p.Team), (Region, "us-east-1")),
                Check("ds/delete-dataset", Decision.ExplicitDeny, "s3:DeleteObject", dataset, (SourceIp, corpIp)),
                Check("ds/read-dataset-outside-network", Decision.ExplicitDeny, "s3:GetObject", dataset, (SourceIp, outsideIp)),
                Check("ds/create-user", Decision.ExplicitDeny, "iam:CreateUser", $"arn:aws:iam::{t}:user/{p.Name}-shadow"),
                Check("ds/train-unapproved-region", Decision.ExplicitDeny, "sagemaker:CreateTrainingJob",
                    $"arn:aws:sagemaker:ap-south-1:{t}:training-job/{p.Name}-run-{i % 100:D3}", (TeamTag, p.Team), (Region, "ap-south-1")),
                Check("ds/read-other-team-dataset", Decision.ImplicitDeny, "s3:GetObject", otherDataset, (SourceIp, corpIp)),
                Check("ds/train-with-other-team-tag", Decision.ImplicitDeny, "sagemaker:CreateTrainingJob",
                    $"arn:aws:sagemaker:us-east-1:{t}:training-job/{p.Name}-run-{i % 100:D3}", (TeamTag, other), (Region, "us-east-1")),
                Check("ds/write-other-user-scratch", Decision.ImplicitDeny, "s3:PutObject",
                    $"arn:aws:s3:::{ScratchBucket(t)}/home/{p.Name}x/notebooks/experiment.ipynb", (SourceIp, corpIp)),
                Check("ds/create-endpoint", Decision.ImplicitDeny, "sagemaker:CreateEndpoint", endpoint, (SourceIp, corpIp), (Region, "us-east-1")),
            ],
            PrincipalKind.MlOpsEngineer =>
            [
                Check("mlops/create-endpoint", Decision.Allow, "sagemaker:CreateEndpoint", endpoint, (SourceIp, corpIp), (Region, "us-east-1")),
                Check("mlops/publish-model", Decision.Allow, "s3:PutObject", model, (SourceIp, corpIp), (Encryption, "aws:kms")),
                Check("mlops/read-any-dataset", Decision.Allow, "s3:GetObject", otherDataset, (SourceIp, corpIp)),
                Check("mlops/delete-production-model", Decision.ExplicitDeny, "s3:DeleteObject", productionModel, (SourceIp, corpIp)),
                Check("mlops/upload-unencrypted-model", Decision.ExplicitDeny, "s3:PutObject", model, (SourceIp, corpIp), (Encryption, "AES256")),
                Check("mlops/attach-user-policy", Decision.ExplicitDeny, "iam:AttachUserPolicy", $"arn:aws:iam::{t}:user/ml-platform/ds-000000"),
                Check("mlops/create-endpoint-outside-network", Decision.ImplicitDeny, "sagemaker:CreateEndpoint", endpoint, (SourceIp, outsideIp), (Region, "us-east-1")),
                Check("mlops/create-training-job", Decision.ImplicitDeny, "sagemaker:CreateTrainingJob",
                    $"arn:aws:sagemaker:us-east-1:{t}:training-job/{p.Name}-run", (TeamTag, p.Team), (Region, "us-east-1")),
                Check("mlops/write-scratch", Decision.ImplicitDeny, "s3:PutObject", $"arn:aws:s3:::{ScratchBucket(t)}/home/{p.Name}/notes.txt", (SourceIp, corpIp)),
            ],
            PrincipalKind.TrainingJob =>
            [
                Check("training/read-dataset", Decision.Allow, "s3:GetObject", dataset, (SourceIp, corpIp)),
                Check("training/write-checkpoint", Decision.Allow, "s3:PutObject",
                    $"arn:aws:s3:::{ModelsBucket(t)}/checkpoints/{p.Name}/step-{i % 100:D3}00.ckpt", (SourceIp, corpIp), (Encryption, "aws:kms")),
                Check("training/put-log-events", Decision.Allow, "logs:PutLogEvents",
                    $"arn:aws:logs:us-east-1:{t}:log-group:/aws/sagemaker/TrainingJobs:log-stream:{p.Name}/algo-1"),
                Check("training/read-dataset-outside-network", Decision.ExplicitDeny, "s3:GetObject", dataset, (SourceIp, outsideIp)),
                Check("training/create-access-key", Decision.ExplicitDeny, "iam:CreateAccessKey", $"arn:aws:iam::{t}:user/ml-platform/ds-000000"),
                Check("training/write-production-model", Decision.ImplicitDeny, "s3:PutObject", productionModel, (SourceIp, corpIp), (Encryption, "aws:kms")),
                Check("training/create-endpoint", Decision.ImplicitDeny, "sagemaker:CreateEndpoint", endpoint, (SourceIp, corpIp), (Region, "us-east-1")),
            ],
            _ =>
            [
                Check("inference/read-production-model", Decision.Allow, "s3:GetObject", productionModel, (SourceIp, corpIp)),
                Check("inference/overwrite-model", Decision.ExplicitDeny, "s3:PutObject", productionModel, (SourceIp, corpIp), (Encryption, "aws:kms")),
                Check("inference/read-dataset", Decision.ImplicitDeny, "s3:GetObject", dataset, (SourceIp, corpIp)),
            ],
        };
    }

    /// <summary>The datasets bucket of a tenant (resource policy: corporate network only; training jobs may read).</summary>
    public static string DatasetsBucket(string tenantId) => "ml-datasets-" + tenantId;

    /// <summary>The models bucket of a tenant (resource policy: uploads must use KMS encryption).</summary>
    public static string ModelsBucket(string tenantId) => "ml-models-" + tenantId;

    /// <summary>The scratch bucket of a tenant (no resource policy; users own <c>home/&lt;user name&gt;/</c>).</summary>
    public static string ScratchBucket(string tenantId) => "ml-scratch-" + tenantId;

    private static TenantPlan BuildTenant(string t, int principals)
    {
        var datasets = DatasetsBucket(t);
        var models = ModelsBucket(t);
        var scratch = ScratchBucket(t);

        var dataScientist = new ManagedPolicySpec("DataScientistAccess", $$"""
            {
              "Version": "2012-10-17",
              "Statement": [
                {
                  "Sid": "ReadOwnTeamDatasets",
                  "Effect": "Allow",
                  "Action": ["s3:GetObject", "s3:ListBucket"],
                  "Resource": "arn:aws:s3:::{{datasets}}/teams/${aws:PrincipalTag/team}/*"
                },
                {
                  "Sid": "OwnScratchSpace",
                  "Effect": "Allow",
                  "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                  "Resource": "arn:aws:s3:::{{scratch}}/home/${aws:username}/*"
                },
                {
                  "Sid": "TrainOnlyWithOwnTeamTag",
                  "Effect": "Allow",
                  "Action": ["sagemaker:CreateTrainingJob", "sagemaker:CreateProcessingJob"],
                  "Resource": "arn:aws:sagemaker:*:{{t}}:*",
                  "Condition": { "StringEquals": { "aws:RequestTag/team": "${aws:PrincipalTag/team}" } }
                },
                {
                  "Sid": "PassTrainingRole",
                  "Effect": "Allow",
                  "Action": "iam:PassRole",
                  "Resource": "arn:aws:iam::{{t}}:role/TrainingJobRole"
                },
                {
                  "Sid": "NoDatasetWrites",
                  "Effect": "Deny",
                  "Action": ["s3:PutObject", "s3:DeleteObject"],
                  "Resource": "arn:aws:s3:::{{datasets}}/*"
                }
              ]
            }
            """);
        var mlops = new ManagedPolicySpec("MLOpsAccess", $$"""
            {
              "Version": "2012-10-17",
              "Statement": [
                {
                  "Sid": "ManageEndpointsFromCorporateNetwork",
                  "Effect": "Allow",
                  "Action": ["sagemaker:CreateEndpoint", "sagemaker:UpdateEndpoint", "sagemaker:DeleteEndpoint", "sagemaker:CreateModel"],
                  "Resource": "arn:aws:sagemaker:*:{{t}}:*",
                  "Condition": {
                    "IpAddress": { "aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"] },
                    "StringEquals": { "aws:PrincipalTag/department": "ml-platform" }
                  }
                },
                {
                  "Sid": "ReadWriteModels",
                  "Effect": "Allow",
                  "Action": ["s3:GetObject", "s3:PutObject"],
                  "Resource": "arn:aws:s3:::{{models}}/*"
                },
                {
                  "Sid": "ReadAllDatasets",
                  "Effect": "Allow",
                  "Action": "s3:GetObject",
                  "Resource": "arn:aws:s3:::{{datasets}}/*"
                },
                {
                  "Sid": "PassServingRoles",
                  "Effect": "Allow",
                  "Action": "iam:PassRole",
                  "Resource": ["arn:aws:iam::{{t}}:role/InferenceEndpointRole", "arn:aws:iam::{{t}}:role/TrainingJobRole"]
                },
                {
                  "Sid": "NoProductionModelDeletes",
                  "Effect": "Deny",
                  "Action": "s3:DeleteObject",
                  "Resource": "arn:aws:s3:::{{models}}/production/*"
                }
              ]
            }
            """);
        var trainingJob = new ManagedPolicySpec("TrainingJobAccess", $$"""
            {
              "Version": "2012-10-17",
              "Statement": [
                { "Sid": "ReadDatasets", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::{{datasets}}/*" },
                { "Sid": "WriteCheckpoints", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::{{models}}/checkpoints/*" },
                {
                  "Sid": "WriteTrainingLogs",
                  "Effect": "Allow",
                  "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                  "Resource": "arn:aws:logs:*:{{t}}:log-group:/aws/sagemaker/TrainingJobs:*"
                },
                {
                  "Sid": "PullTrainingImages",
                  "Effect": "Allow",
                  "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                  "Resource": "arn:aws:ecr:*:{{t}}:repository/ml-*"
                }
              ]
            }
            """);
        var inference = new ManagedPolicySpec("InferenceEndpointAccess", $$"""
            {
              "Version": "2012-10-17",
              "Statement": [
                { "Sid": "ReadProductionModels", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::{{models}}/production/*" },
                { "Sid": "PublishEndpointMetrics", "Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*" },
                { "Sid": "ModelsAreReadOnly", "Effect": "Deny", "Action": ["s3:PutObject", "s3:DeleteObject"], "Resource": "arn:aws:s3:::{{models}}/*" }
              ]
            }
            """);

        const string SageMakerTrust = """
            {
              "Version": "2012-10-17",
              "Statement": [
                { "Effect": "Allow", "Principal": { "Service": "sagemaker.amazonaws.com" }, "Action": "sts:AssumeRole" }
              ]
            }
            """;
        var deployTrust = $$"""
            {
              "Version": "2012-10-17",
              "Statement": [
                {
                  "Effect": "Allow",
                  "Principal": { "AWS": "arn:aws:iam::{{t}}:root" },
                  "Action": "sts:AssumeRole",
                  "Condition": { "Bool": { "aws:MultiFactorAuthPresent": "true" } }
                }
              ]
            }
            """;
        var datasetsPolicy = $$"""
            {
              "Version": "2012-10-17",
              "Statement": [
                {
                  "Sid": "CorporateNetworkOnly",
                  "Effect": "Deny",
                  "Principal": "*",
                  "Action": "s3:*",
                  "Resource": "arn:aws:s3:::{{datasets}}/*",
                  "Condition": { "NotIpAddress": { "aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"] } }
                },
                {
                  "Sid": "TrainingJobsRead",
                  "Effect": "Allow",
                  "Principal": { "AWS": "arn:aws:iam::{{t}}:role/TrainingJobRole" },
                  "Action": "s3:GetObject",
                  "Resource": "arn:aws:s3:::{{datasets}}/*"
                }
              ]
            }
            """;
        var modelsPolicy = $$"""
            {
              "Version": "2012-10-17",
              "Statement": [
                {
                  "Sid": "UploadsMustUseKms",
                  "Effect": "Deny",
                  "Principal": "*",
                  "Action": "s3:PutObject",
                  "Resource": "arn:aws:s3:::{{models}}/*",
                  "Condition": { "StringNotEquals": { "s3:x-amz-server-side-encryption": "aws:kms" } }
                }
              ]
            }
            """;
        const string Guardrail = """
            {
              "Version": "2012-10-17",
              "Statement": [
                { "Sid": "AllowByDefault", "Effect": "Allow", "Action": "*", "Resource": "*" },
                {
                  "Sid": "NoIdentityAdministration",
                  "Effect": "Deny",
                  "Action": ["iam:CreateUser", "iam:CreateAccessKey", "iam:AttachUserPolicy", "iam:PutUserPolicy"],
                  "Resource": "*"
                },
                {
                  "Sid": "ApprovedRegionsOnly",
                  "Effect": "Deny",
                  "Action": "sagemaker:*",
                  "Resource": "*",
                  "Condition": { "StringNotEquals": { "aws:RequestedRegion": ["us-east-1", "eu-west-1"] } }
                }
              ]
            }
            """;

        Tag T(string key, string value) => new() { Key = key, Value = value };
        return new TenantPlan(
            t,
            $"loadtest ml-platform ({principals} principals)",
            [dataScientist, mlops, trainingJob, inference],
            [new GroupSpec("data-scientists", [dataScientist.Name]), new GroupSpec("mlops-engineers", [mlops.Name])],
            [
                new RoleSpec("TrainingJobRole", SageMakerTrust, "assumed by SageMaker training jobs", [T("team", "shared"), T("workload", "training")], [trainingJob.Name]),
                new RoleSpec("InferenceEndpointRole", SageMakerTrust, "assumed by SageMaker endpoints", [T("team", "shared"), T("workload", "inference")], [inference.Name]),
                new RoleSpec("MLOpsDeployRole", deployTrust, "assumed by MLOps engineers with MFA to deploy", [T("team", "platform")], [mlops.Name]),
            ],
            [
                new ResourceSpec($"arn:aws:s3:::{datasets}", [T("classification", "restricted")], datasetsPolicy),
                new ResourceSpec($"arn:aws:s3:::{models}", [T("classification", "internal")], modelsPolicy),
                new ResourceSpec($"arn:aws:s3:::{scratch}", [T("classification", "scratch")], null),
            ],
            "ml-platform-guardrail",
            Guardrail);
    }
}
