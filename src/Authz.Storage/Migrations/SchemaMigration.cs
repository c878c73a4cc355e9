namespace Authz.Storage.Migrations;

/// <summary>One step of the storage schema. Versions start at 1 and are applied in order, each exactly once.</summary>
/// <param name="Version">The schema version this step brings the database to.</param>
/// <param name="Description">What the step does, recorded in <c>schema_migrations</c>.</param>
/// <param name="Sql">The statements of the step, in the dialect of the database.</param>
internal sealed record SchemaMigration(int Version, string Description, string Sql);
