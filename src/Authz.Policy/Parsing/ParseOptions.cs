namespace Authz.Policy.Parsing;

/// <summary>Grammar strictness and size limits for <see cref="PolicyParser"/>.</summary>
public sealed record ParseOptions
{
    /// <summary>
    /// Strict mode (new writes): unknown elements are errors and size limits apply. Lenient mode (loading stored
    /// documents): unknown elements are warnings and size limits are not enforced, so a document accepted once keeps
    /// loading after a limit is lowered. Duplicate keys and invalid UTF-8 are errors in both modes.
    /// </summary>
    public bool Strict { get; init; } = true;

    /// <summary>Maximum number of non-whitespace characters (AWS's identity policy limit is 6,144). Null: no limit.</summary>
    public int? MaxDocumentCharacters { get; init; } = 6144;

    /// <summary>Maximum number of statements.</summary>
    public int MaxStatements { get; init; } = 100;

    /// <summary>Maximum JSON nesting depth (a valid policy needs 7).</summary>
    public int MaxDepth { get; init; } = 12;

    /// <summary>Maximum length of a condition key, principal type or Sid.</summary>
    public int MaxKeyLength { get; init; } = 256;

    /// <summary>Maximum length of any string value.</summary>
    public int MaxValueLength { get; init; } = 2048;

    /// <summary>Defaults for new writes.</summary>
    public static ParseOptions StrictDefault { get; } = new();

    /// <summary>Defaults for loading stored documents.</summary>
    public static ParseOptions Lenient { get; } = new() { Strict = false, MaxDocumentCharacters = null };
}
