using Authz.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Providers;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace Orleans.Hosting;

/// <summary>Registers the Authz grain storage in a silo.</summary>
public static class AuthzStorageHostingExtensions
{
    /// <summary>
    /// Adds the Authz grain storage as the silo's default provider (<c>"Default"</c>), used by
    /// <c>[PersistentState("state")]</c> without a provider name.
    /// </summary>
    /// <example><c>siloBuilder.AddAuthzGrainStorageAsDefault(o => o.BindConfiguration(AuthzStorageOptions.SectionName))</c></example>
    public static ISiloBuilder AddAuthzGrainStorageAsDefault(this ISiloBuilder builder, Action<OptionsBuilder<AuthzStorageOptions>> configureOptions) =>
        builder.AddAuthzGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configureOptions);

    /// <summary>Adds the Authz grain storage as the silo's default provider, configured in code.</summary>
    public static ISiloBuilder AddAuthzGrainStorageAsDefault(this ISiloBuilder builder, Action<AuthzStorageOptions> configureOptions) =>
        builder.AddAuthzGrainStorage(ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME, configureOptions);

    /// <summary>Adds the Authz grain storage under <paramref name="name"/>.</summary>
    public static ISiloBuilder AddAuthzGrainStorage(this ISiloBuilder builder, string name, Action<OptionsBuilder<AuthzStorageOptions>> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddAuthzGrainStorage(name, configureOptions);
        return builder;
    }

    /// <summary>Adds the Authz grain storage under <paramref name="name"/>, configured in code.</summary>
    public static ISiloBuilder AddAuthzGrainStorage(this ISiloBuilder builder, string name, Action<AuthzStorageOptions> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(configureOptions);
        return builder.AddAuthzGrainStorage(name, ob => ob.Configure(configureOptions));
    }

    /// <summary>
    /// Adds the Authz grain storage under <paramref name="name"/> to a silo's services. Options are validated when
    /// the provider is created, at silo start.
    /// </summary>
    public static IServiceCollection AddAuthzGrainStorage(this IServiceCollection services, string name, Action<OptionsBuilder<AuthzStorageOptions>> configureOptions)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configureOptions);

        configureOptions(services.AddOptions<AuthzStorageOptions>(name));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthzStorageOptions>, AuthzStorageOptionsValidator>());
        services.AddGrainStorage(name, AuthzGrainStorage.Create);
        return services;
    }

    /// <summary>
    /// Resolves the Authz grain storage registered under <paramref name="name"/>, for writes that commit extra rows
    /// with the state (<see cref="IAuthzGrainStorage.WriteStateAsync{T}(string, Runtime.GrainId, IGrainState{T}, StorageWriteAction, CancellationToken)"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">No storage, or another kind of storage, is registered under that name.</exception>
    public static IAuthzGrainStorage GetAuthzGrainStorage(this IServiceProvider services, string name = ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME)
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.GetKeyedService<IGrainStorage>(name) switch
        {
            IAuthzGrainStorage storage => storage,
            null => throw new InvalidOperationException($"no grain storage is registered under the name `{name}`"),
            var other => throw new InvalidOperationException(
                $"grain storage `{name}` is a `{other.GetType().Name}`, not an Authz grain storage; register it with AddAuthzGrainStorage"),
        };
    }
}
