using Microsoft.Extensions.Options;

namespace Authz.Storage;

/// <summary>Checks <see cref="AuthzStorageOptions"/> so that a bad configuration fails at startup with a clear message.</summary>
internal sealed class AuthzStorageOptionsValidator : IValidateOptions<AuthzStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthzStorageOptions options)
    {
        var errors = Check(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static List<string> Check(AuthzStorageOptions options)
    {
        var errors = new List<string>();
        switch (options.Provider)
        {
            case StorageProviderKind.Sqlite:
                if (string.IsNullOrWhiteSpace(options.ConnectionString) && string.IsNullOrWhiteSpace(options.SqlitePath))
                {
                    errors.Add("Authz:Storage:SqlitePath (or Authz:Storage:ConnectionString) is required when Authz:Storage:Provider is Sqlite");
                }

                break;
            case StorageProviderKind.Postgres:
                if (string.IsNullOrWhiteSpace(options.ConnectionString))
                {
                    errors.Add("Authz:Storage:ConnectionString is required when Authz:Storage:Provider is Postgres");
                }

                break;
            default:
                errors.Add($"Authz:Storage:Provider `{options.Provider}` is not one of Sqlite, Postgres");
                break;
        }

        if (options.CommandTimeout <= TimeSpan.Zero)
        {
            errors.Add("Authz:Storage:CommandTimeout must be positive");
        }

        if (options.JsonSerializerOptions is null)
        {
            errors.Add("Authz:Storage:JsonSerializerOptions must not be null");
        }

        return errors;
    }
}
