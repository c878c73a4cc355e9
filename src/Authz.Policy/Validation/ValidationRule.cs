using Authz.Policy.Model;

namespace Authz.Policy.Validation;

/// <summary>One validation check as clients see it: a stable id, the severity of its findings and a short title.</summary>
/// <param name="Id">Stable id such as <c>AUTHZ2010</c>; it never changes meaning once released.</param>
/// <param name="Severity">The severity of every finding the check reports.</param>
/// <param name="Title">What the check looks for, lowercase, e.g. <c>allow with NotAction</c>.</param>
public sealed record ValidationRule(string Id, Severity Severity, string Title);
