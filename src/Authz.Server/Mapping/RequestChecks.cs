using System.Collections.Immutable;
using Authz.Grains;
using Authz.Server.Services;
using Authz.V1;
using Google.Protobuf.Collections;

namespace Authz.Server.Mapping;

/// <summary>
/// Checks the shape of a request's fields with <see cref="AdminNames"/> and collects every violation, so one
/// INVALID_ARGUMENT answer names all the bad fields: <c>Check.Request().TenantId(r.TenantId).UserName(r.UserName).ThrowIfInvalid()</c>.
/// </summary>
public sealed class RequestChecks
{
    private readonly List<FieldViolation> _violations = [];

    public static RequestChecks Request() => new();

    public RequestChecks TenantId(string value, string field = "tenant_id") => Add(field, AdminNames.CheckTenantId(value));

    public RequestChecks TenantName(string value, string field = "name") => Add(field, AdminNames.CheckTenantName(value));

    public RequestChecks PrincipalName(string value, string field) => Add(field, AdminNames.CheckPrincipalName(value));

    public RequestChecks PolicyName(string value, string field) => Add(field, AdminNames.CheckPolicyName(value));

    public RequestChecks Path(string value, string field = "path") => Add(field, AdminNames.CheckPath(value));

    public RequestChecks PathPrefix(string value, string field = "path_prefix") => Add(field, AdminNames.CheckPathPrefix(value));

    public RequestChecks Description(string value, string field = "description") => Add(field, AdminNames.CheckDescription(value));

    public RequestChecks VersionId(string value, string field = "version_id") => Add(field, AdminNames.CheckVersionId(value));

    public RequestChecks ResourceArn(string value, string field = "resource_arn") => Add(field, AdminNames.CheckResourceArn(value));

    public RequestChecks ArnPrefix(string value, string field = "arn_prefix") =>
        Add(field, value.Length > AdminNames.MaxResourceArnLength ? $"is longer than {AdminNames.MaxResourceArnLength} characters" : null);

    public RequestChecks MaxSessionDuration(uint value, string field = "max_session_duration") => Add(field, AdminNames.CheckMaxSessionDuration(value));

    /// <summary>A managed policy ARN; of tenant <paramref name="tenantId"/> when that is a valid tenant id.</summary>
    public RequestChecks PolicyArn(string value, string? tenantId = null, string field = "policy_arn") =>
        Add(field, AdminNames.CheckPolicyArn(value, tenantId is not null && AdminNames.CheckTenantId(tenantId) is null ? tenantId : null));

    /// <summary>An optional managed policy ARN (empty: none).</summary>
    public RequestChecks OptionalPolicyArn(string value, string tenantId, string field) =>
        string.IsNullOrEmpty(value) ? this : PolicyArn(value, tenantId, field);

    /// <summary>A policy document: present; its content is checked by the grain that stores it.</summary>
    public RequestChecks Document(string value, string field = "policy_document") =>
        Add(field, string.IsNullOrWhiteSpace(value) ? "is required" : null);

    public RequestChecks PageToken(string token, string scope, out string? afterKey, string field = "page_token") =>
        Add(field, Mapping.PageToken.TryDecode(token, scope, out afterKey) ? null : "is not a token this call returned with these filters");

    /// <summary>Tags: valid keys and values, each key once (case-insensitively).</summary>
    public RequestChecks Tags(RepeatedField<Tag> tags, string field = "tags")
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < tags.Count; i++)
        {
            Add($"{field}[{i}].key", AdminNames.CheckTagKey(tags[i].Key));
            Add($"{field}[{i}].value", AdminNames.CheckTagValue(tags[i].Value));
            if (!string.IsNullOrEmpty(tags[i].Key) && !seen.Add(tags[i].Key))
            {
                Add($"{field}[{i}].key", $"`{tags[i].Key}` is given more than once");
            }
        }

        return this;
    }

    public RequestChecks TagKeys(RepeatedField<string> keys, string field = "tag_keys")
    {
        for (var i = 0; i < keys.Count; i++)
        {
            Add($"{field}[{i}]", string.IsNullOrEmpty(keys[i]) ? "is required" : keys[i].Length > AdminNames.MaxTagKeyLength ? $"is longer than {AdminNames.MaxTagKeyLength} characters" : null);
        }

        return this;
    }

    public RequestChecks Add(string field, string? problem)
    {
        if (problem is not null)
        {
            _violations.Add(new FieldViolation { Field = field, Description = problem });
        }

        return this;
    }

    /// <summary>Throws INVALID_ARGUMENT with every violation found, if any.</summary>
    public void ThrowIfInvalid()
    {
        if (_violations.Count > 0)
        {
            AdminErrors.ThrowInvalid([.. _violations]);
        }
    }

    public ImmutableArray<FieldViolation> Violations => [.. _violations];
}
