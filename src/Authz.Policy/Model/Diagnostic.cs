namespace Authz.Policy.Model;

/// <summary>How serious a finding is, in IAM Access Analyzer's terms.</summary>
public enum Severity
{
    /// <summary>The policy is invalid and is rejected.</summary>
    Error,
    /// <summary>The policy grants more than its author probably meant.</summary>
    SecurityWarning,
    /// <summary>The policy works but something in it is suspicious or has no effect.</summary>
    Warning,
    /// <summary>The policy could be simpler.</summary>
    Suggestion,
}

/// <summary>A parse error or a validation finding, with a stable id and a location.</summary>
/// <param name="Code">Stable id such as <c>AUTHZ1001</c>; tests and clients may depend on it.</param>
/// <param name="Severity">How serious it is.</param>
/// <param name="Message">Lowercase, no final period, user input in backticks.</param>
/// <param name="Location">JSON path and line/column where it applies.</param>
public sealed record Diagnostic(string Code, Severity Severity, string Message, SourceLocation Location)
{
    /// <summary>The Cedar-style one-line form: ``statement[1].Condition: unknown operator `X` (line 9, column 7)``.</summary>
    public override string ToString()
    {
        var path = string.IsNullOrEmpty(Location.Path) ? "" : Location.Path + ": ";
        var where = Location.Line > 0 ? $" (line {Location.Line}, column {Location.Column})" : "";
        return path + Message + where;
    }
}
