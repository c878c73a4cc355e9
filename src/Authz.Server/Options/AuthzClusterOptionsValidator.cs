using Authz.Storage;
using Microsoft.Extensions.Options;

namespace Authz.Server.Options;

/// <summary>Refuses topologies that cannot work, with the configuration key to change.</summary>
internal sealed class AuthzClusterOptionsValidator(IConfiguration configuration) : IValidateOptions<AuthzClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthzClusterOptions options)
    {
        var errors = new List<string>();
        if (options.SiloPort == options.GatewayPort)
        {
            errors.Add($"Authz:Cluster:SiloPort and Authz:Cluster:GatewayPort are both {options.SiloPort}; they must differ");
        }

        if (options.Clustering == ClusteringMode.Redis)
        {
            if (string.IsNullOrWhiteSpace(options.RedisConnectionString))
            {
                errors.Add("Authz:Cluster:RedisConnectionString is required when Authz:Cluster:Clustering is Redis");
            }

            var storage = configuration.GetSection(AuthzStorageOptions.SectionName).Get<AuthzStorageOptions>() ?? new AuthzStorageOptions();
            if (storage.Provider != StorageProviderKind.Postgres)
            {
                errors.Add("Authz:Cluster:Clustering Redis needs Authz:Storage:Provider Postgres: silos of a cluster cannot share a SQLite file");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
