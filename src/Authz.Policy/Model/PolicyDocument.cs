using System.Collections.Immutable;

namespace Authz.Policy.Model;

/// <summary>The two policy language versions AWS defines.</summary>
public enum PolicyLanguageVersion
{
    /// <summary>"2008-10-17", also the meaning of a document without <c>Version</c>: policy variables are literal text.</summary>
    V2008_10_17,
    /// <summary>"2012-10-17": policy variables are substituted.</summary>
    V2012_10_17,
}

/// <summary>Statement effect.</summary>
public enum Effect
{
    /// <summary>The statement grants.</summary>
    Allow,
    /// <summary>The statement denies, overriding every allow.</summary>
    Deny,
}

/// <summary>Where in the source text an element starts, plus its JSON path (``statement[1].Condition``).</summary>
public readonly record struct SourceLocation(string Path, int Line, int Column)
{
    /// <summary>A location for elements that were not read from text.</summary>
    public static readonly SourceLocation None = new("", 0, 0);

    /// <inheritdoc />
    public override string ToString() => Line > 0 ? $"line {Line}, column {Column}" : "";
}

/// <summary>A string value of a policy element together with where it was written.</summary>
public readonly record struct LocatedString(string Value, SourceLocation Location)
{
    /// <inheritdoc />
    public override string ToString() => Value;
}

/// <summary>A parsed IAM policy document. It is syntax only: nothing is compiled or resolved.</summary>
/// <param name="Version">The <c>Version</c> element as written, or null when absent.</param>
/// <param name="Id">The optional <c>Id</c> element.</param>
/// <param name="Statements">The statements, in document order.</param>
/// <param name="StatementIsArray">Whether <c>Statement</c> was written as an array (kept for printing).</param>
public sealed record PolicyDocument(
    string? Version,
    string? Id,
    ImmutableArray<PolicyStatement> Statements,
    bool StatementIsArray)
{
    /// <summary>The language version that governs evaluation (no Version means 2008-10-17).</summary>
    public PolicyLanguageVersion LanguageVersion =>
        Version == "2012-10-17" ? PolicyLanguageVersion.V2012_10_17 : PolicyLanguageVersion.V2008_10_17;
}

/// <summary>One statement of a policy document.</summary>
public sealed record PolicyStatement
{
    /// <summary>0-based position in the document's statement list.</summary>
    public required int Index { get; init; }
    /// <summary>Optional statement id.</summary>
    public string? Sid { get; init; }
    /// <summary>Allow or Deny.</summary>
    public required Effect Effect { get; init; }
    /// <summary><c>Action</c> or <c>NotAction</c> (exactly one is present).</summary>
    public required ValueList Action { get; init; }
    /// <summary><c>Resource</c> or <c>NotResource</c>, or null when the document omits both (trust policies).</summary>
    public ValueList? Resource { get; init; }
    /// <summary><c>Principal</c> or <c>NotPrincipal</c>, or null for identity-style statements.</summary>
    public PrincipalElement? Principal { get; init; }
    /// <summary>Condition blocks in document order; empty when there is no <c>Condition</c>.</summary>
    public ImmutableArray<ConditionBlock> Conditions { get; init; } = [];
    /// <summary>Where the statement starts.</summary>
    public SourceLocation Location { get; init; } = SourceLocation.None;
}

/// <summary>An <c>Action</c>/<c>NotAction</c> or <c>Resource</c>/<c>NotResource</c> element.</summary>
/// <param name="Negated">True for the <c>Not...</c> form.</param>
/// <param name="Values">The values; a single string is a one-element list.</param>
/// <param name="IsArray">Whether the element was written as an array (kept for printing).</param>
/// <param name="Location">Where the element's value starts.</param>
public sealed record ValueList(bool Negated, ImmutableArray<LocatedString> Values, bool IsArray, SourceLocation Location);

/// <summary>A <c>Principal</c> or <c>NotPrincipal</c> element.</summary>
/// <param name="Negated">True for <c>NotPrincipal</c>.</param>
/// <param name="IsWildcard">True for the bare string <c>"*"</c>.</param>
/// <param name="Entries">Principal type (<c>AWS</c>, <c>Service</c>, <c>Federated</c>, <c>CanonicalUser</c>) to values.</param>
/// <param name="Location">Where the element's value starts.</param>
public sealed record PrincipalElement(
    bool Negated,
    bool IsWildcard,
    ImmutableArray<PrincipalEntry> Entries,
    SourceLocation Location);

/// <summary>The values given for one principal type.</summary>
public sealed record PrincipalEntry(string Type, ImmutableArray<LocatedString> Values, bool IsArray);

/// <summary>One <c>"Operator": { key: values, ... }</c> block of a condition.</summary>
/// <param name="Operator">The operator exactly as written, e.g. <c>ForAnyValue:StringLikeIfExists</c>.</param>
/// <param name="Clauses">Key clauses, AND-ed.</param>
/// <param name="Location">Where the operator name is written.</param>
public sealed record ConditionBlock(string Operator, ImmutableArray<ConditionClause> Clauses, SourceLocation Location);

/// <summary>A condition key and its policy values (OR-ed for positive operators).</summary>
/// <param name="Key">The condition key as written.</param>
/// <param name="Values">The values; JSON numbers and booleans are kept as their JSON text.</param>
/// <param name="IsArray">Whether the values were written as an array.</param>
/// <param name="Location">Where the key is written.</param>
public sealed record ConditionClause(string Key, ImmutableArray<ConditionValue> Values, bool IsArray, SourceLocation Location);

/// <summary>The JSON type a condition value was written with.</summary>
public enum ConditionValueKind
{
    /// <summary>A JSON string.</summary>
    String,
    /// <summary>A JSON number.</summary>
    Number,
    /// <summary>A JSON true/false.</summary>
    Boolean,
}

/// <summary>A condition value as written.</summary>
public readonly record struct ConditionValue(string Text, ConditionValueKind Kind, SourceLocation Location);
