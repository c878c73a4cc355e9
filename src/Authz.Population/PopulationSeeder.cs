using System.Collections.Concurrent;
using Authz.Client;
using Authz.V1;
using Grpc.Core;

namespace Authz.Population;

/// <summary>
/// Writes an <see cref="MlPlatformPopulation"/> through the Admin API. Seeding is idempotent: what exists is kept
/// (<c>ALREADY_EXISTS</c>), and attachments, resource policies and guardrails are written again (they replace). So a
/// second run, or a larger population over a smaller one, only adds what is missing.
/// </summary>
public sealed class PopulationSeeder(AuthzClient client, TimeSpan timeout, int parallelism = 16)
{
    /// <summary>Seeds every tenant and returns each tenant's revision after its last write.</summary>
    public async Task<IReadOnlyDictionary<string, ulong>> SeedAsync(MlPlatformPopulation population, Action<string> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(population);
        ArgumentNullException.ThrowIfNull(progress);
        var revisions = new ConcurrentDictionary<string, ulong>(StringComparer.Ordinal);
        void Saw(string tenant, ulong revision) => revisions.AddOrUpdate(tenant, revision, (_, r) => Math.Max(r, revision));

        foreach (var tenant in population.Tenants)
            await SeedTenantAsync(tenant, Saw, cancellationToken).ConfigureAwait(false);
        progress($"seeded {population.TenantCount} tenant(s): policies, groups, roles, buckets, guardrail");

        var users = Enumerable.Range(0, population.PrincipalCount).Select(population.Principal).Where(p => p.IsUser).ToList();
        var done = 0;
        await Parallel.ForEachAsync(users, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = cancellationToken }, async (user, ct) =>
        {
            await SeedUserAsync(user, Saw, ct).ConfigureAwait(false);
            var n = Interlocked.Increment(ref done);
            if (n % 1000 == 0 || n == users.Count)
                progress($"seeded {n}/{users.Count} users");
        }).ConfigureAwait(false);
        return new Dictionary<string, ulong>(revisions, StringComparer.Ordinal);
    }

    private async Task SeedTenantAsync(TenantPlan t, Action<string, ulong> saw, CancellationToken ct)
    {
        var id = t.TenantId;
        saw(id, await Call($"CreateTenant `{id}`", async () =>
        {
            var created = await AuthzClient.CreateOrKeepAsync(client.Admin.CreateTenantAsync(new CreateTenantRequest { TenantId = id, Name = t.Name }, Options(ct))).ConfigureAwait(false);
            if (created is not null)
                return created.Revision;
            return (await client.Admin.GetTenantAsync(new GetTenantRequest { TenantId = id }, Options(ct))).Tenant.Revision;
        }).ConfigureAwait(false));

        foreach (var policy in t.Policies)
        {
            var response = await Call($"CreatePolicy `{policy.Name}` in `{id}`", () => AuthzClient.CreateOrKeepAsync(client.Admin.CreatePolicyAsync(
                new CreatePolicyRequest { TenantId = id, PolicyName = policy.Name, Path = ManagedPolicySpec.PolicyPath, PolicyDocument = policy.Document, Description = "authz loadtest: ML platform" },
                Options(ct)))).ConfigureAwait(false);
            if (response is not null)
                saw(id, response.Revision);
        }

        foreach (var group in t.Groups)
        {
            var created = await Call($"CreateGroup `{group.Name}` in `{id}`", () => AuthzClient.CreateOrKeepAsync(client.Admin.CreateGroupAsync(
                new CreateGroupRequest { TenantId = id, GroupName = group.Name, Path = MlPlatformPopulation.UserPath }, Options(ct)))).ConfigureAwait(false);
            if (created is not null)
                saw(id, created.Revision);
            foreach (var policy in group.Policies)
                saw(id, (await Call($"AttachGroupPolicy `{policy}` to `{group.Name}` in `{id}`", () => client.Admin.AttachGroupPolicyAsync(
                    new AttachGroupPolicyRequest { TenantId = id, GroupName = group.Name, PolicyArn = PolicyArn(t, policy) }, Options(ct)).ResponseAsync).ConfigureAwait(false)).Revision);
        }

        foreach (var role in t.Roles)
        {
            var request = new CreateRoleRequest { TenantId = id, RoleName = role.Name, AssumeRolePolicyDocument = role.TrustPolicy, Description = role.Description };
            request.Tags.AddRange(role.Tags);
            var created = await Call($"CreateRole `{role.Name}` in `{id}`", () => AuthzClient.CreateOrKeepAsync(client.Admin.CreateRoleAsync(request, Options(ct)))).ConfigureAwait(false);
            if (created is not null)
                saw(id, created.Revision);
            foreach (var policy in role.Policies)
                saw(id, (await Call($"AttachRolePolicy `{policy}` to `{role.Name}` in `{id}`", () => client.Admin.AttachRolePolicyAsync(
                    new AttachRolePolicyRequest { TenantId = id, RoleName = role.Name, PolicyArn = PolicyArn(t, policy) }, Options(ct)).ResponseAsync).ConfigureAwait(false)).Revision);
        }

        foreach (var resource in t.Resources)
        {
            var register = new RegisterResourceRequest { TenantId = id, ResourceArn = resource.Arn };
            register.Tags.AddRange(resource.Tags);
            saw(id, (await Call($"RegisterResource `{resource.Arn}`", () => client.Admin.RegisterResourceAsync(register, Options(ct)).ResponseAsync).ConfigureAwait(false)).Revision);
            if (resource.Policy is { } document)
                saw(id, (await Call($"PutResourcePolicy `{resource.Arn}`", () => client.Admin.PutResourcePolicyAsync(
                    new PutResourcePolicyRequest { TenantId = id, ResourceArn = resource.Arn, PolicyDocument = document }, Options(ct)).ResponseAsync).ConfigureAwait(false)).Revision);
        }

        saw(id, (await Call($"PutTenantGuardrail `{t.GuardrailName}` in `{id}`", () => client.Admin.PutTenantGuardrailAsync(
            new PutTenantGuardrailRequest { TenantId = id, Name = t.GuardrailName, PolicyDocument = t.Guardrail }, Options(ct)).ResponseAsync).ConfigureAwait(false)).Revision);
    }

    private async Task SeedUserAsync(PopulationPrincipal user, Action<string, ulong> saw, CancellationToken ct)
    {
        var request = new CreateUserRequest { TenantId = user.TenantId, UserName = user.Name, Path = MlPlatformPopulation.UserPath };
        request.Tags.AddRange(MlPlatformPopulation.UserTags(user));
        var created = await Call($"CreateUser `{user.Name}` in `{user.TenantId}`", () => AuthzClient.CreateOrKeepAsync(client.Admin.CreateUserAsync(request, Options(ct)))).ConfigureAwait(false);
        if (created is not null)
            saw(user.TenantId, created.Revision);
        var group = MlPlatformPopulation.GroupOf(user.Kind);
        var added = await Call($"AddUserToGroup `{user.Name}` to `{group}` in `{user.TenantId}`", () => AuthzClient.CreateOrKeepAsync(client.Admin.AddUserToGroupAsync(
            new AddUserToGroupRequest { TenantId = user.TenantId, GroupName = group, UserName = user.Name }, Options(ct)))).ConfigureAwait(false);
        if (added is not null)
            saw(user.TenantId, added.Revision);
    }

    private static string PolicyArn(TenantPlan tenant, string policyName) =>
        tenant.Policies.Single(p => p.Name == policyName).Arn(tenant.TenantId);

    private CallOptions Options(CancellationToken ct) => new(deadline: DateTime.UtcNow + timeout, cancellationToken: ct);

    /// <summary>
    /// Runs one admin call, waiting out the server's per-tenant rate limit as its <c>retry-after-ms</c> hint says, and
    /// turning any other gRPC failure into a <see cref="PopulationSeedingException"/> that names the call.
    /// </summary>
    private static async Task<T> Call<T>(string what, Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call().ConfigureAwait(false);
            }
            catch (RpcException ex) when (ex.StatusCode == StatusCode.ResourceExhausted && attempt < 1000
                && long.TryParse(ex.Trailers.GetValue("retry-after-ms"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var wait)
                && wait is > 0 and <= 60_000)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait)).ConfigureAwait(false);
            }
            catch (RpcException ex)
            {
                throw new PopulationSeedingException(what, ex);
            }
        }
    }
}

/// <summary>A seeding call failed: <see cref="Call"/> names it, <see cref="Rpc"/> says how the target answered.</summary>
public sealed class PopulationSeedingException(string call, RpcException inner)
    : Exception($"seeding failed: {call}: {inner.StatusCode}: {inner.Status.Detail}", inner)
{
    /// <summary>The admin call and its target, e.g. <c>CreateUser `ds-000001` in `700000000001`</c>.</summary>
    public string Call { get; } = call;

    /// <summary>The failed call's exception: the status code and detail the target answered with.</summary>
    public RpcException Rpc => inner;
}
