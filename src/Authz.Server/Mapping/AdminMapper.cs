using System.Collections.Immutable;
using Authz.Grains;
using Authz.V1;
using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using PolicyModel = Authz.Policy.Model;

namespace Authz.Server.Mapping;

/// <summary>Maps admin wire records (grains) to and from the authz.v1 messages.</summary>
public static class AdminMapper
{
    public static Tenant ToProto(TenantInfo t) => new()
    {
        TenantId = t.TenantId,
        Name = t.Name,
        CreateDate = Timestamp.FromDateTimeOffset(t.CreateDate),
        Revision = t.Revision,
    };

    public static User ToProto(UserInfo u)
    {
        var user = new User
        {
            UserName = u.UserName,
            UserId = u.UserId,
            Arn = u.Arn,
            Path = u.Path,
            CreateDate = Timestamp.FromDateTimeOffset(u.CreateDate),
            PermissionsBoundary = Boundary(u.PermissionsBoundaryArn),
        };
        user.Tags.AddRange(u.Tags.Select(ToProto));
        return user;
    }

    public static Group ToProto(GroupInfo g) => new()
    {
        GroupName = g.GroupName,
        GroupId = g.GroupId,
        Arn = g.Arn,
        Path = g.Path,
        CreateDate = Timestamp.FromDateTimeOffset(g.CreateDate),
    };

    public static Role ToProto(RoleInfo r)
    {
        var role = new Role
        {
            RoleName = r.RoleName,
            RoleId = r.RoleId,
            Arn = r.Arn,
            Path = r.Path,
            CreateDate = Timestamp.FromDateTimeOffset(r.CreateDate),
            AssumeRolePolicyDocument = r.AssumeRolePolicyDocument,
            Description = r.Description,
            MaxSessionDuration = r.MaxSessionDuration,
            PermissionsBoundary = Boundary(r.PermissionsBoundaryArn),
        };
        role.Tags.AddRange(r.Tags.Select(ToProto));
        return role;
    }

    public static V1.Policy ToProto(PolicyInfo p) => new()
    {
        PolicyName = p.PolicyName,
        PolicyId = p.PolicyId,
        Arn = p.Arn,
        Path = p.Path,
        DefaultVersionId = p.DefaultVersionId,
        AttachmentCount = (uint)p.AttachmentCount,
        PermissionsBoundaryUsageCount = (uint)p.PermissionsBoundaryUsageCount,
        Description = p.Description,
        CreateDate = Timestamp.FromDateTimeOffset(p.CreateDate),
        UpdateDate = Timestamp.FromDateTimeOffset(p.UpdateDate),
    };

    public static PolicyVersion ToProto(PolicyVersionInfo v) => new()
    {
        VersionId = v.VersionId,
        Document = v.Document,
        IsDefaultVersion = v.IsDefaultVersion,
        CreateDate = Timestamp.FromDateTimeOffset(v.CreateDate),
    };

    public static AttachedPolicy ToProto(AttachedPolicyRef a) => new() { PolicyName = a.PolicyName, PolicyArn = a.PolicyArn };

    public static V1.Resource ToProto(ResourceInfo r)
    {
        var resource = new V1.Resource
        {
            ResourceArn = r.ResourceArn,
            TenantId = r.TenantId,
            HasResourcePolicy = r.HasResourcePolicy,
            CreateDate = Timestamp.FromDateTimeOffset(r.CreateDate),
        };
        resource.Tags.AddRange(r.Tags.Select(ToProto));
        return resource;
    }

    public static TenantGuardrail ToProto(GuardrailInfo g) => new()
    {
        Name = g.Name,
        PolicyDocument = g.Document,
        UpdateDate = Timestamp.FromDateTimeOffset(g.UpdateDate),
    };

    public static Tag ToProto(TagEntry t) => new() { Key = t.Key, Value = t.Value };

    public static ImmutableArray<TagEntry> ToWire(RepeatedField<Tag> tags) => [.. tags.Select(t => new TagEntry { Key = t.Key, Value = t.Value })];

    public static ValidationFinding ToProto(PolicyModel.Diagnostic d) => new()
    {
        Id = d.Code,
        Severity = d.Severity switch
        {
            PolicyModel.Severity.Error => FindingSeverity.Error,
            PolicyModel.Severity.SecurityWarning => FindingSeverity.SecurityWarning,
            PolicyModel.Severity.Warning => FindingSeverity.Warning,
            _ => FindingSeverity.Suggestion,
        },
        Message = d.Message,
        Path = d.Location.Path,
        Line = (uint)Math.Max(0, d.Location.Line),
        Column = (uint)Math.Max(0, d.Location.Column),
    };

    /// <summary>The engine's policy type of a ValidatePolicy request, or null when unspecified.</summary>
    public static PolicyModel.PolicyType? ToEngine(V1.PolicyType type) => type switch
    {
        V1.PolicyType.Identity => PolicyModel.PolicyType.Identity,
        V1.PolicyType.Resource => PolicyModel.PolicyType.Resource,
        V1.PolicyType.RoleTrust => PolicyModel.PolicyType.Trust,
        V1.PolicyType.PermissionsBoundary => PolicyModel.PolicyType.PermissionsBoundary,
        V1.PolicyType.Guardrail => PolicyModel.PolicyType.Guardrail,
        V1.PolicyType.Session => PolicyModel.PolicyType.Session,
        _ => null,
    };

    /// <summary>The size limit an admin write of a document of <paramref name="type"/> obeys.</summary>
    public static int SizeLimit(PolicyModel.PolicyType type, AuthzQuotaOptions quotas) => type switch
    {
        PolicyModel.PolicyType.Resource => quotas.ResourcePolicyCharacters,
        PolicyModel.PolicyType.Trust => quotas.TrustPolicyCharacters,
        PolicyModel.PolicyType.Guardrail or PolicyModel.PolicyType.ResourceGuardrail => quotas.GuardrailCharacters,
        PolicyModel.PolicyType.Session => quotas.UserInlinePolicyCharacters,
        _ => quotas.ManagedPolicyCharacters,
    };

    private static AttachedPermissionsBoundary? Boundary(string? arn) => arn is null ? null : new AttachedPermissionsBoundary { PermissionsBoundaryArn = arn };
}
