using System.Collections.Immutable;
using Authz.Policy.Compilation;
using Authz.Policy.Model;
using Authz.Policy.Parsing;
using Authz.Policy.Validation;

namespace Authz.Grains;

/// <summary>
/// How admin writes check policy documents: strict parsing with the size limit of the document's use, compilation for
/// its policy type, and the validator's ERROR findings. A document that is not accepted here is never stored.
/// ValidatePolicy reports the same diagnostics, plus warnings and suggestions, as findings.
/// </summary>
public static class PolicyDocumentRules
{
    /// <summary>The engine's policy type for a stored document kind.</summary>
    public static PolicyType ToPolicyType(DocumentKind kind) => kind switch
    {
        DocumentKind.Identity => PolicyType.Identity,
        DocumentKind.PermissionsBoundary => PolicyType.PermissionsBoundary,
        DocumentKind.Guardrail => PolicyType.Guardrail,
        DocumentKind.Resource => PolicyType.Resource,
        DocumentKind.Trust => PolicyType.Trust,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown document kind"),
    };

    /// <summary>The strict options of a write with a size limit of <paramref name="maxCharacters"/>.</summary>
    public static ParseOptions StrictOptions(int maxCharacters) => ParseOptions.StrictDefault with { MaxDocumentCharacters = maxCharacters };

    /// <summary>Every diagnostic of a strict parse, compile and validation (Access-Analyzer-style findings), in document order.</summary>
    public static ImmutableArray<Diagnostic> Diagnose(string json, PolicyType type, int? maxCharacters)
    {
        var options = maxCharacters is { } max ? StrictOptions(max) : ParseOptions.StrictDefault with { MaxDocumentCharacters = null };
        return PolicyValidator.Validate(json, type, options);
    }

    /// <summary>
    /// Checks a document for a write and returns it compiled.
    /// </summary>
    /// <exception cref="AdminException">InvalidArgument with one field violation per error, on <paramref name="field"/>.</exception>
    public static CompiledPolicy CompileForWrite(string json, DocumentKind kind, string id, string? versionId, int maxCharacters, string field = "policy_document")
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            throw AdminException.Invalid(field, "is required");
        }

        // Writes get the strict grammar and every ERROR-severity finding of the validator (a malformed ARN, a partial
        // wildcard in a principal, ...), not only what the compiler needs.
        var type = ToPolicyType(kind);
        var options = StrictOptions(maxCharacters);
        var result = PolicyCompiler.ParseAndCompile(json, type, id, versionId, options);
        var errors = result.Policy is null
            ? result.Diagnostics.Where(d => d.Severity == Severity.Error).ToImmutableArray()
            : PolicyValidator.Validate(json, type, options).Where(d => d.Severity == Severity.Error).ToImmutableArray();
        if (result.Policy is null || errors.Length > 0)
        {
            throw AdminException.Invalid(errors.Length == 0
                ? [new FieldViolation { Field = field, Description = "the document does not compile" }]
                : [.. errors.Select(d => ToViolation(field, d))]);
        }

        return result.Policy;
    }

    /// <summary>A diagnostic as a field violation whose description is the Cedar-style line.</summary>
    public static FieldViolation ToViolation(string field, Diagnostic diagnostic) => new()
    {
        Field = field,
        Description = diagnostic.ToString(),
        Code = diagnostic.Code,
        Path = string.IsNullOrEmpty(diagnostic.Location.Path) ? null : diagnostic.Location.Path,
        Line = diagnostic.Location.Line,
        Column = diagnostic.Location.Column,
    };
}
