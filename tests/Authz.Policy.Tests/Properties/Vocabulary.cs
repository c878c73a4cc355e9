namespace Authz.Policy.Tests.Properties;

/// <summary>
/// The small world the generators draw from: two accounts, a handful of principals, actions, resources and
/// condition keys, chosen so that random policies often match random requests and every rule gets exercised.
/// </summary>
public static class Vocabulary
{
    public const string AccountA = "111122223333";
    public const string AccountB = "444455556666";

    public const string Alice = "arn:aws:iam::111122223333:user/alice";
    public const string Bob = "arn:aws:iam::111122223333:user/ml/bob";
    public const string Carol = "arn:aws:iam::444455556666:user/carol";
    public const string TrainingRole = "arn:aws:iam::111122223333:role/TrainingRole";
    public const string TrainingRoleWithPath = "arn:aws:iam::111122223333:role/service-role/TrainingRole";
    public const string AnalystRole = "arn:aws:iam::444455556666:role/Analyst";
    public const string TrainingSession = "arn:aws:sts::111122223333:assumed-role/TrainingRole/job-1";
    public const string AnalystSession = "arn:aws:sts::444455556666:assumed-role/Analyst/alice";
    public const string FederatedDave = "arn:aws:sts::111122223333:federated-user/dave";
    public const string RootA = "arn:aws:iam::111122223333:root";
    public const string RootB = "arn:aws:iam::444455556666:root";
    public const string SageMaker = "sagemaker.amazonaws.com";
    public const string Lambda = "lambda.amazonaws.com";
    public const string Anonymous = "anonymous";

    /// <summary>Callers with their relative frequency.</summary>
    public static readonly (int Weight, string Principal)[] Callers =
    [
        (5, Alice), (2, Bob), (3, Carol), (2, TrainingRole), (5, TrainingSession), (3, AnalystSession),
        (2, FederatedDave), (1, RootA), (1, SageMaker), (1, Anonymous),
    ];

    /// <summary>Values the <c>AWS</c> principal type may list.</summary>
    public static readonly string[] AwsPrincipalValues =
    [
        "*", AccountA, AccountB, RootA, RootB, Alice, Bob, Carol, TrainingRole, TrainingRoleWithPath, AnalystRole,
        TrainingSession, AnalystSession, FederatedDave,
    ];

    public static readonly string[] ServicePrincipalValues = [SageMaker, Lambda];

    public static readonly string[] Actions =
    [
        "s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject", "sagemaker:CreateTrainingJob",
        "sagemaker:DescribeTrainingJob", "iam:PassRole", "dynamodb:GetItem", "sts:AssumeRole",
    ];

    /// <summary>Action patterns that are not derived from the request's action.</summary>
    public static readonly string[] ActionPatterns =
    [
        "*", "s3:*", "s3:Get*", "s3:*Object", "s3:?etObject", "sagemaker:*Training*", "*:GetObject", "s?:*",
        "iam:Pass*", "*Object", "S3:GETOBJECT", "dynamodb:Get*", "sts:*", "*:*",
    ];

    /// <summary>Request resources; S3 ARNs carry no account, so the case's resourceAccount decides their owner.</summary>
    public static readonly string[] Resources =
    [
        "arn:aws:s3:::ml-data/train/x.csv", "arn:aws:s3:::ml-data/home/alice/notes.txt", "arn:aws:s3:::ml-data/team-ml/model.bin",
        "arn:aws:s3:::ml-data/odd:name/file", "arn:aws:s3:::ml-data/star*file", "arn:aws:s3:::ml-data",
        "arn:aws:sagemaker:us-east-1:111122223333:training-job/job-1", "arn:aws:sagemaker:us-east-1:444455556666:training-job/job-2",
        "arn:aws:iam::111122223333:role/TrainingRole", "arn:aws:dynamodb:us-east-1:444455556666:table/Features", "*",
    ];

    /// <summary>Resource patterns that are not derived from the request's resource.</summary>
    public static readonly string[] ResourcePatterns =
    [
        "*", "arn:aws:s3:::ml-data/*", "arn:aws:s3:::ml-*", "arn:aws:s3:::ml-data/home/${aws:username}/*",
        "arn:aws:s3:::ml-data/team-${aws:PrincipalTag/team, 'none'}/*", "arn:aws:s3:::ml-data/team-${aws:PrincipalTag/team}/*",
        "arn:aws:s3:::ml-data/star${*}file", "arn:aws:s3:::ml-data/star*file", "arn:aws:s3:::ml-data/odd*/file",
        "arn:aws:s3:::ml-data/odd?name/file", "arn:aws:sagemaker:*:111122223333:training-job/*",
        "arn:aws:sagemaker:us-east-?:*:*", "arn:aws:*:*:*:*", "arn:aws:iam::*:role/*", "arn:aws:s3:::ML-DATA/*",
        "arn:aws:dynamodb:us-east-1:444455556666:table/*", "arn:aws:s3:::ml-data${?}", "arn:aws:s*:::ml-data/*",
    ];
}
