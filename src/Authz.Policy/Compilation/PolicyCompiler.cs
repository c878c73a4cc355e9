using System.Collections.Immutable;
using Authz.Policy.Conditions;
using Authz.Policy.Model;
using Authz.Policy.Parsing;

namespace Authz.Policy.Compilation;

/// <summary>The outcome of compiling: a policy when there were no errors, and the diagnostics.</summary>
public sealed record CompileResult(CompiledPolicy? Policy, ImmutableArray<Diagnostic> Diagnostics)
{
    /// <summary>True when the policy compiled.</summary>
    public bool Success => Policy is not null;

    /// <summary>The first error as one line, for callers that report a single message.</summary>
    public string? FirstError => Diagnostics.FirstOrDefault(d => d.Severity == Severity.Error)?.ToString();
}

/// <summary>
/// Compiles parsed documents into immutable <see cref="CompiledPolicy"/> objects: globs become matchers, condition
/// values are parsed once, variables are pre-split, and an action index is built.
/// </summary>
public static class PolicyCompiler
{
    /// <summary>Diagnostic codes the compiler emits (stable ids).</summary>
    public static class Codes
    {
        public const string InvalidConditionValue = "AUTHZ0101";
        public const string PrincipalNotAllowed = "AUTHZ0102";
        public const string PrincipalRequired = "AUTHZ0103";
        public const string ResourceRequired = "AUTHZ0104";
    }

    /// <summary>Parses and compiles a JSON document in one step.</summary>
    public static CompileResult ParseAndCompile(string json, PolicyType type, string id, string? versionId = null, ParseOptions? options = null)
    {
        var parsed = PolicyParser.Parse(json, options);
        if (parsed.Document is null)
            return new CompileResult(null, parsed.Diagnostics);
        var compiled = Compile(parsed.Document, type, id, versionId);
        return compiled with { Diagnostics = parsed.Diagnostics.AddRange(compiled.Diagnostics) };
    }

    /// <summary>Compiles a parsed document for the given policy type.</summary>
    public static CompileResult Compile(PolicyDocument document, PolicyType type, string id, string? versionId = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        var errors = new List<Diagnostic>();
        var variables = document.LanguageVersion == PolicyLanguageVersion.V2012_10_17;
        var statements = ImmutableArray.CreateBuilder<CompiledStatement>(document.Statements.Length);
        var principalBased = type is PolicyType.Resource or PolicyType.Trust;
        // RCP-like guardrails may name principals (AWS's RCP syntax has `Principal`, in practice `*` with conditions).
        var principalAllowed = principalBased || type == PolicyType.ResourceGuardrail;

        foreach (var s in document.Statements)
        {
            var path = s.Location.Path.Length > 0 ? s.Location.Path : $"statement[{s.Index}]";
            if (principalBased && s.Principal is null)
                errors.Add(new Diagnostic(Codes.PrincipalRequired, Severity.Error,
                    $"{Describe(type)} statement must have `Principal` or `NotPrincipal`", s.Location with { Path = path }));
            if (!principalAllowed && s.Principal is not null)
                errors.Add(new Diagnostic(Codes.PrincipalNotAllowed, Severity.Error,
                    $"{Describe(type)} statement cannot have `{(s.Principal.Negated ? "NotPrincipal" : "Principal")}`", s.Principal.Location));
            if (type != PolicyType.Trust && s.Resource is null)
                errors.Add(new Diagnostic(Codes.ResourceRequired, Severity.Error,
                    "missing required element `Resource` or `NotResource`", s.Location with { Path = path }));

            var conditions = ImmutableArray.CreateBuilder<CompiledCondition>();
            foreach (var block in s.Conditions)
            {
                // The parser has already rejected unknown operators.
                ConditionOperator.TryParse(block.Operator, out var op, out _);
                foreach (var clause in block.Clauses)
                {
                    var c = CompiledCondition.Compile(op, block.Operator, clause, variables && op.SupportsVariables, errors);
                    if (c is not null)
                        conditions.Add(c);
                }
            }

            statements.Add(new CompiledStatement
            {
                Index = s.Index,
                Sid = s.Sid,
                Effect = s.Effect,
                NotAction = s.Action.Negated,
                Actions = [.. s.Action.Values.Select(a => WildcardPattern.Compile(a.Value, PatternMode.Action, variables: false))],
                NotResource = s.Resource?.Negated ?? false,
                Resources = s.Resource is null
                    ? default
                    : [.. s.Resource.Values.Select(r => WildcardPattern.Compile(r.Value, PatternMode.Arn, variables))],
                Principal = s.Principal is null || !principalAllowed ? null : new PrincipalMatcher(s.Principal),
                Conditions = conditions.ToImmutable(),
            });
        }

        if (errors.Count > 0)
            return new CompileResult(null, [.. errors]);
        return new CompileResult(new CompiledPolicy(id, versionId, type, document.LanguageVersion, statements.ToImmutable()), []);
    }

    private static string Describe(PolicyType type) => type switch
    {
        PolicyType.Identity => "an identity policy",
        PolicyType.Resource => "a resource policy",
        PolicyType.Trust => "a trust policy",
        PolicyType.PermissionsBoundary => "a permissions boundary",
        PolicyType.Guardrail => "a guardrail",
        PolicyType.ResourceGuardrail => "a resource guardrail",
        _ => "a session policy",
    };
}
