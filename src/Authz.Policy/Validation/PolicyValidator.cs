using System.Collections.Immutable;
using Authz.Policy.Compilation;
using Authz.Policy.Model;
using Authz.Policy.Parsing;

namespace Authz.Policy.Validation;

/// <summary>
/// Findings beyond errors, in the spirit of IAM Access Analyzer's ValidatePolicy: a policy can parse and compile and
/// still grant more than meant, never match, or behave differently in AWS. Each check has a stable id in
/// <see cref="Rules"/>, a severity and a precise location.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Validate(string, PolicyType, ParseOptions?)"/> runs the parser, the compiler and then the checks, and
/// returns every diagnostic sorted by position. Some rules belong to earlier stages and keep their codes there: an
/// unknown operator, <c>Null</c> with <c>IfExists</c> or a set qualifier (AUTHZ0008), an operator with no keys
/// (AUTHZ0007), <c>Principal</c> in an identity policy (AUTHZ0102), a resource policy statement without one
/// (AUTHZ0103). Typed condition values that do not parse are the compiler's AUTHZ0101; the validator owns their
/// message (AUTHZ2043 to AUTHZ2049) and drops the compiler's duplicate at the same location.
/// </para>
/// <para>A document that does not parse yields only the parser's diagnostics: the checks need a document.</para>
/// </remarks>
public static class PolicyValidator
{
    private static readonly ImmutableArray<PolicyCheck> Checks =
    [
        new MissingVersionCheck(),
        new VariableInLegacyVersionCheck(),
        new DuplicateSidCheck(),
        new InvalidSidCharactersCheck(),
        new EmptySidCheck(),
        new AllowWithNotActionCheck(),
        new UnmatchableActionCheck(),
        new PartialWildcardInServiceCheck(),
        RedundantValueCheck.ForActions(),
        new PassRoleOnAllResourcesCheck(),
        new VariableInUnsupportedElementCheck(),
        new AllowWithNotResourceCheck(),
        new MalformedArnCheck(),
        new InvalidArnAccountCheck(),
        new VariableBeforeResourceFieldCheck(),
        RedundantValueCheck.ForResources(),
        new PublicAccessCheck(),
        new AllowWithNotPrincipalCheck(),
        new DenyWithNotPrincipalCheck(),
        new WildcardInPrincipalCheck(),
        new PrincipalUniqueIdCheck(),
        new ForAllValuesInAllowCheck(),
        new QualifierOnSingleValuedKeyCheck(),
        new MissingQualifierCheck(),
        .. ConditionValueCheck.All(),
        new VariableInTypedOperatorCheck(),
        new LikeWithoutWildcardCheck(),
        new WildcardWithoutLikeCheck(),
        new OperatorTypeMismatchCheck(),
        new UnknownGlobalKeyCheck(),
        new DuplicateCaseCheck(),
        new CidrHostBitsCheck(),
        new BoolBothValuesCheck(),
        new MalformedVariableCheck(),
        new DuplicateStatementCheck(),
        new CoveredStatementCheck(),
        new StatementMatchesNothingCheck(),
    ];

    /// <summary>Every check the validator runs, ordered by id.</summary>
    public static ImmutableArray<ValidationRule> Rules { get; } =
        [.. Checks.Select(c => c.Rule).OrderBy(r => r.Id, StringComparer.Ordinal)];

    /// <summary>Parses, compiles and checks a document given as a .NET string.</summary>
    /// <param name="json">The policy document.</param>
    /// <param name="type">The role the policy plays; several checks depend on it.</param>
    /// <param name="options">Parser options; strict defaults when null.</param>
    /// <returns>Parser, compiler and validator diagnostics, sorted by line and column.</returns>
    public static ImmutableArray<Diagnostic> Validate(string json, PolicyType type, ParseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Validate(PolicyParser.Parse(json, options), type);
    }

    /// <summary>Parses, compiles and checks a document given as UTF-8 bytes (invalid UTF-8 is an error).</summary>
    /// <param name="utf8">The policy document.</param>
    /// <param name="type">The role the policy plays; several checks depend on it.</param>
    /// <param name="options">Parser options; strict defaults when null.</param>
    /// <returns>Parser, compiler and validator diagnostics, sorted by line and column.</returns>
    public static ImmutableArray<Diagnostic> Validate(ReadOnlySpan<byte> utf8, PolicyType type, ParseOptions? options = null) =>
        Validate(PolicyParser.Parse(utf8, options), type);

    /// <summary>Runs the checks alone on a parsed document (no parser or compiler diagnostics).</summary>
    /// <param name="document">The parsed document.</param>
    /// <param name="type">The role the policy plays; several checks depend on it.</param>
    /// <returns>The validator's findings, sorted by line and column.</returns>
    public static ImmutableArray<Diagnostic> Validate(PolicyDocument document, PolicyType type)
    {
        ArgumentNullException.ThrowIfNull(document);
        return Sort(Check(document, type).Diagnostics);
    }

    private static ImmutableArray<Diagnostic> Validate(ParseResult parsed, PolicyType type)
    {
        if (parsed.Document is not { } document)
            return Sort(parsed.Diagnostics);
        var compiled = PolicyCompiler.Compile(document, type, "validate");
        var context = Check(document, type);
        var compilerDiagnostics = compiled.Diagnostics.Where(d => !context.Superseded.Contains((d.Code, d.Location)));
        return Sort(parsed.Diagnostics.Concat(compilerDiagnostics).Concat(context.Diagnostics));
    }

    private static ValidationContext Check(PolicyDocument document, PolicyType type)
    {
        var context = new ValidationContext(document, type);
        foreach (var check in Checks)
            check.Run(context);
        return context;
    }

    // Position first; at one position, the most serious finding first. OrderBy is stable, so document order breaks
    // the remaining ties.
    private static ImmutableArray<Diagnostic> Sort(IEnumerable<Diagnostic> diagnostics) =>
    [
        .. diagnostics
            .OrderBy(d => d.Location.Line)
            .ThenBy(d => d.Location.Column)
            .ThenBy(d => d.Severity)
            .ThenBy(d => d.Code, StringComparer.Ordinal),
    ];
}
