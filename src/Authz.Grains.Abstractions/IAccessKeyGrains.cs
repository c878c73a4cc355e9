using System.Collections.Immutable;
using Orleans.Concurrency;

namespace Authz.Grains;

/// <summary>Whether an access key may be used to sign calls.</summary>
public enum AccessKeyStatus
{
    Active,
    Inactive,
}

/// <summary>
/// An access key as stored: who it is bound to and the salted PBKDF2 hash of its secret. The secret itself is never
/// stored and never crosses the cluster: the gRPC layer hashes it before it calls a grain.
/// </summary>
[GenerateSerializer, Immutable, Alias("authz.access-key.v1")]
public sealed record AccessKeyRecord
{
    [Id(0)] public required string AccessKeyId { get; init; }
    [Id(1)] public required string TenantId { get; init; }
    /// <summary><see cref="EntityKind.User"/> or <see cref="EntityKind.Role"/>.</summary>
    [Id(2)] public required EntityKind PrincipalKind { get; init; }
    /// <summary>The user or role name as written.</summary>
    [Id(3)] public required string PrincipalName { get; init; }
    /// <summary>The principal's ARN when the key was created; calls are made as this ARN.</summary>
    [Id(4)] public required string PrincipalArn { get; init; }
    /// <summary>The principal's unique id (<c>AIDA...</c>, <c>AROA...</c>): a key does not outlive its principal.</summary>
    [Id(5)] public required string PrincipalId { get; init; }
    [Id(6)] public required ImmutableArray<byte> Salt { get; init; }
    [Id(7)] public required ImmutableArray<byte> Hash { get; init; }
    [Id(8)] public required int Iterations { get; init; }
    [Id(9)] public AccessKeyStatus Status { get; init; }
    [Id(10)] public DateTimeOffset CreateDate { get; init; }
}

/// <summary>One access key, keyed by its id (<see cref="GrainKeys.AccessKey"/>).</summary>
[Alias("authz.IAccessKeyGrain")]
public interface IAccessKeyGrain : IGrainWithStringKey
{
    /// <summary>Stores a new key; <see cref="AdminErrorCode.AlreadyExists"/> when the id is taken.</summary>
    [Alias("Create")] Task Create(AccessKeyRecord record);

    /// <summary>The key, or null when it does not exist.</summary>
    [Alias("Get"), ReadOnly] Task<AccessKeyRecord?> Get();

    /// <summary>Changes the status; <see cref="AdminErrorCode.NotFound"/> when the key does not exist in <paramref name="tenantId"/>.</summary>
    [Alias("SetStatus")] Task<AccessKeyRecord> SetStatus(string tenantId, AccessKeyStatus status);

    /// <summary>Deletes the key; <see cref="AdminErrorCode.NotFound"/> when it does not exist in <paramref name="tenantId"/>.</summary>
    [Alias("Delete")] Task<AccessKeyRecord> Delete(string tenantId);
}

/// <summary>
/// The ids of the access keys of one user or role (<see cref="GrainKeys.AccessKeyList"/>): an index written before a key
/// is created and after it is deleted, so it is a superset of the keys.
/// </summary>
[Alias("authz.IAccessKeyListGrain")]
public interface IAccessKeyListGrain : IGrainWithStringKey
{
    /// <summary>Adds an id; <see cref="AdminErrorCode.ResourceExhausted"/> when the principal already has <paramref name="quota"/> keys.</summary>
    [Alias("Add")] Task Add(string accessKeyId, int quota);

    [Alias("Remove")] Task Remove(string accessKeyId);

    [Alias("List"), ReadOnly] Task<ImmutableArray<string>> List();
}
