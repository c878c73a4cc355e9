using System.Collections.Immutable;

namespace Authz.Grains;

/// <summary>
/// The kinds of domain error a grain reports. They are the admin API's error statuses, so the gRPC layer maps them one
/// to one and never inspects messages.
/// </summary>
public enum AdminErrorCode
{
    /// <summary>Malformed or invalid input, including policy documents that do not parse or validate.</summary>
    InvalidArgument,

    /// <summary>The tenant or an entity named in the request does not exist.</summary>
    NotFound,

    /// <summary>A create of a name that is taken (AWS: EntityAlreadyExists).</summary>
    AlreadyExists,

    /// <summary>The write conflicts with the current state (AWS: DeleteConflict).</summary>
    FailedPrecondition,

    /// <summary>A quota would be exceeded (AWS: LimitExceeded).</summary>
    ResourceExhausted,

    /// <summary>A concurrent write won; retrying is safe.</summary>
    Aborted,

    /// <summary>The caller may not make this change (e.g. a resource owned by another tenant).</summary>
    PermissionDenied,

    /// <summary>The call's deadline passed before the grain started it, so it did nothing.</summary>
    DeadlineExceeded,
}

/// <summary>One problem with one request field; for a policy document, with the location inside the document.</summary>
[GenerateSerializer, Immutable, Alias("authz.field-violation.v1")]
public sealed record FieldViolation
{
    /// <summary>The request field, in the proto's snake_case (<c>policy_document</c>, <c>tags[2].key</c>).</summary>
    [Id(0)] public required string Field { get; init; }

    /// <summary>The Cedar-style line: lowercase, user input in backticks, location appended for documents.</summary>
    [Id(1)] public required string Description { get; init; }

    /// <summary>A stable code (<c>AUTHZ0001</c>) when the violation comes from the policy engine.</summary>
    [Id(2)] public string? Code { get; init; }

    /// <summary>The JSON path inside the document, when there is one.</summary>
    [Id(3)] public string? Path { get; init; }

    /// <summary>1-based line in the document; 0 when unknown.</summary>
    [Id(4)] public int Line { get; init; }

    /// <summary>1-based column in the document; 0 when unknown.</summary>
    [Id(5)] public int Column { get; init; }
}

/// <summary>A domain error as it travels from a grain to its caller.</summary>
[GenerateSerializer, Immutable, Alias("authz.admin-error.v1")]
public sealed record AdminError
{
    [Id(0)] public required AdminErrorCode Code { get; init; }

    /// <summary>A one-line message in Cedar's style.</summary>
    [Id(1)] public required string Message { get; init; }

    /// <summary>For <see cref="AdminErrorCode.InvalidArgument"/>: what is wrong with which field.</summary>
    [Id(2)] public ImmutableArray<FieldViolation> Violations { get; init; } = [];

    /// <summary>
    /// For <see cref="AdminErrorCode.FailedPrecondition"/>, <see cref="AdminErrorCode.ResourceExhausted"/>,
    /// <see cref="AdminErrorCode.NotFound"/> and <see cref="AdminErrorCode.AlreadyExists"/>: the entity concerned, e.g.
    /// <c>arn:aws:iam::111122223333:policy/ml-read</c>.
    /// </summary>
    [Id(3)] public string? Subject { get; init; }

    /// <summary>
    /// A stable, machine-readable kind: the precondition type (<c>DELETE_CONFLICT</c>) or the quota name
    /// (<c>managed-policies-per-principal</c>).
    /// </summary>
    [Id(4)] public string? Kind { get; init; }

    /// <inheritdoc/>
    public override string ToString() => $"{Code}: {Message}";
}

/// <summary>
/// Thrown by grains for every domain error; Orleans carries it to the caller with its <see cref="Error"/>, so the
/// gRPC layer switches on <see cref="AdminError.Code"/> rather than on message text.
/// </summary>
[GenerateSerializer, Alias("authz.admin-exception.v1")]
public sealed class AdminException : Exception
{
    public AdminException(AdminError error)
        : base(error?.Message)
    {
        Error = error ?? throw new ArgumentNullException(nameof(error));
    }

    [Id(0)] public AdminError Error { get; private set; }

    public AdminErrorCode Code => Error.Code;

    /// <summary>An invalid field.</summary>
    public static AdminException Invalid(string field, string description) => new(new AdminError
    {
        Code = AdminErrorCode.InvalidArgument,
        Message = $"{field}: {description}",
        Violations = [new FieldViolation { Field = field, Description = description }],
    });

    /// <summary>Several invalid fields, e.g. every error in a policy document.</summary>
    public static AdminException Invalid(ImmutableArray<FieldViolation> violations) => new(new AdminError
    {
        Code = AdminErrorCode.InvalidArgument,
        Message = violations.IsDefaultOrEmpty ? "invalid request" : $"{violations[0].Field}: {violations[0].Description}",
        Violations = violations,
    });

    public static AdminException NotFound(string what, string subject) => new(new AdminError
    {
        Code = AdminErrorCode.NotFound,
        Message = $"{what} `{subject}` does not exist",
        Subject = subject,
        Kind = what,
    });

    public static AdminException AlreadyExists(string what, string subject) => new(new AdminError
    {
        Code = AdminErrorCode.AlreadyExists,
        Message = $"{what} `{subject}` already exists",
        Subject = subject,
        Kind = what,
    });

    /// <summary>A write that conflicts with the current state; <paramref name="kind"/> is the precondition type.</summary>
    public static AdminException Conflict(string kind, string subject, string message) => new(new AdminError
    {
        Code = AdminErrorCode.FailedPrecondition,
        Message = message,
        Subject = subject,
        Kind = kind,
    });

    /// <summary>A quota that would be exceeded; <paramref name="quota"/> names it.</summary>
    public static AdminException Quota(string quota, string subject, string message) => new(new AdminError
    {
        Code = AdminErrorCode.ResourceExhausted,
        Message = message,
        Subject = subject,
        Kind = quota,
    });

    public static AdminException Aborted(string subject) => new(new AdminError
    {
        Code = AdminErrorCode.Aborted,
        Message = $"a concurrent write to `{subject}` won; retry the call",
        Subject = subject,
    });

    public static AdminException Denied(string subject, string message) => new(new AdminError
    {
        Code = AdminErrorCode.PermissionDenied,
        Message = message,
        Subject = subject,
    });

    /// <summary>A call that reached <paramref name="subject"/> after its deadline and was not started.</summary>
    public static AdminException DeadlineExceeded(string subject) => new(new AdminError
    {
        Code = AdminErrorCode.DeadlineExceeded,
        Message = "the call's deadline passed before it could start; nothing was changed",
        Subject = subject,
    });
}

/// <summary>Stable precondition types and quota names carried in <see cref="AdminError.Kind"/>.</summary>
public static class AdminErrorKinds
{
    public const string DeleteConflict = "DELETE_CONFLICT";
    public const string DefaultVersion = "DEFAULT_VERSION";
    public const string TenantDeleting = "TENANT_DELETING";
    public const string ManagedPoliciesPerPrincipal = "managed-policies-per-principal";
    public const string GroupsPerUser = "groups-per-user";
    public const string VersionsPerPolicy = "versions-per-policy";
    public const string TagsPerEntity = "tags-per-entity";
    public const string AccessKeysPerPrincipal = "access-keys-per-principal";
    public const string EntitiesPerTenant = "entities-per-tenant";
}
