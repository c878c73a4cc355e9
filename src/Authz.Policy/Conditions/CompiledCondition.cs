using System.Collections.Immutable;
using Authz.Policy.Compilation;
using Authz.Policy.Evaluation;
using Authz.Policy.Model;

namespace Authz.Policy.Conditions;

/// <summary>The outcome of one condition clause.</summary>
public enum ConditionOutcome
{
    /// <summary>The condition does not hold.</summary>
    False,
    /// <summary>The condition holds.</summary>
    True,
    /// <summary>
    /// A request value could not be read as the operator's type (a number that does not parse, say). The evaluator
    /// treats it as fail-closed: an Allow statement does not apply, a Deny statement does.
    /// </summary>
    Error,
}

/// <summary>
/// One condition key under one operator, with its policy values parsed once at compile time. Immutable.
/// </summary>
public sealed class CompiledCondition
{
    private readonly WildcardPattern[] _patterns = [];
    private readonly ArnPattern[] _arns = [];
    private readonly decimal[] _numbers = [];
    private readonly long[] _dates = [];
    private readonly bool[] _bools = [];
    private readonly byte[][] _binaries = [];
    private readonly IpRange[] _ranges = [];

    /// <summary>The parsed operator.</summary>
    public ConditionOperator Operator { get; }
    /// <summary>The operator as written in the policy.</summary>
    public string OperatorText { get; }
    /// <summary>The condition key as written (lookups are case-insensitive).</summary>
    public string Key { get; }
    /// <summary>Where the key is written.</summary>
    public SourceLocation Location { get; }

    private CompiledCondition(ConditionOperator op, string operatorText, string key, SourceLocation location,
        WildcardPattern[]? patterns = null, ArnPattern[]? arns = null, decimal[]? numbers = null, long[]? dates = null, bool[]? bools = null,
        byte[][]? binaries = null, IpRange[]? ranges = null)
    {
        Operator = op;
        OperatorText = operatorText;
        Key = key;
        Location = location;
        _patterns = patterns ?? [];
        _arns = arns ?? [];
        _numbers = numbers ?? [];
        _dates = dates ?? [];
        _bools = bools ?? [];
        _binaries = binaries ?? [];
        _ranges = ranges ?? [];
    }

    /// <summary>
    /// Compiles a clause. Policy values that cannot be read as the operator's type are compile errors, reported
    /// through <paramref name="errors"/>.
    /// </summary>
    public static CompiledCondition? Compile(ConditionOperator op, string operatorText, ConditionClause clause,
        bool variables, List<Diagnostic> errors)
    {
        var compiled = CompileValues(op, operatorText, clause, variables, errors);
        return compiled is null ? null : new CompiledCondition(compiled) { PolicyValues = [.. clause.Values.Select(v => v.Text)] };
    }

    private CompiledCondition(CompiledCondition other)
        : this(other.Operator, other.OperatorText, other.Key, other.Location, other._patterns, other._arns, other._numbers, other._dates,
            other._bools, other._binaries, other._ranges)
    {
    }

    private static CompiledCondition? CompileValues(ConditionOperator op, string operatorText, ConditionClause clause,
        bool variables, List<Diagnostic> errors)
    {
        var values = clause.Values;
        string Bad(ConditionValue v, string what)
        {
            errors.Add(new Diagnostic(PolicyCompiler.Codes.InvalidConditionValue, Severity.Error,
                $"`{v.Text}` is not {what} (operator `{operatorText}`)", v.Location));
            return "";
        }

        var ok = true;
        switch (op.Family)
        {
            case OperatorFamily.String:
            {
                var (mode, wildcards) = op.Kind switch
                {
                    OperatorKind.StringLike or OperatorKind.StringNotLike => (PatternMode.Text, true),
                    OperatorKind.StringEqualsIgnoreCase or OperatorKind.StringNotEqualsIgnoreCase => (PatternMode.Action, false),
                    _ => (PatternMode.Text, false),
                };
                var patterns = values.Select(v => WildcardPattern.Compile(v.Text, mode, variables, wildcards)).ToArray();
                return new CompiledCondition(op, operatorText, clause.Key, clause.Location, patterns: patterns);
            }
            case OperatorFamily.Arn:
            {
                var arns = values.Select(v => ArnPattern.Compile(v.Text, variables)).ToArray();
                return new CompiledCondition(op, operatorText, clause.Key, clause.Location, arns: arns);
            }
            case OperatorFamily.Numeric:
            {
                var numbers = new decimal[values.Length];
                for (var i = 0; i < values.Length; i++)
                    if (!ConditionValues.TryParseNumber(values[i].Text, out numbers[i]) || values[i].Kind == ConditionValueKind.Boolean)
                    { Bad(values[i], "a number"); ok = false; }
                return ok ? new CompiledCondition(op, operatorText, clause.Key, clause.Location, numbers: numbers) : null;
            }
            case OperatorFamily.Date:
            {
                var dates = new long[values.Length];
                for (var i = 0; i < values.Length; i++)
                    if (values[i].Kind == ConditionValueKind.Boolean || !ConditionValues.TryParseDate(values[i].Text, out dates[i]))
                    { Bad(values[i], "an ISO 8601 date or epoch time"); ok = false; }
                return ok ? new CompiledCondition(op, operatorText, clause.Key, clause.Location, dates: dates) : null;
            }
            case OperatorFamily.Bool:
            case OperatorFamily.Null:
            {
                var bools = new bool[values.Length];
                for (var i = 0; i < values.Length; i++)
                    if (!ConditionValues.TryParseBool(values[i].Text, out bools[i]))
                    { Bad(values[i], "`true` or `false`"); ok = false; }
                return ok ? new CompiledCondition(op, operatorText, clause.Key, clause.Location, bools: bools) : null;
            }
            case OperatorFamily.Binary:
            {
                var binaries = new byte[values.Length][];
                for (var i = 0; i < values.Length; i++)
                    if (values[i].Kind != ConditionValueKind.String || !ConditionValues.TryParseBinary(values[i].Text, out binaries[i]))
                    { Bad(values[i], "base64"); ok = false; }
                return ok ? new CompiledCondition(op, operatorText, clause.Key, clause.Location, binaries: binaries) : null;
            }
            case OperatorFamily.Ip:
            {
                var ranges = new IpRange[values.Length];
                for (var i = 0; i < values.Length; i++)
                    if (values[i].Kind != ConditionValueKind.String || !ConditionValues.TryParseCidr(values[i].Text, out ranges[i]))
                    { Bad(values[i], "an IP address or CIDR block"); ok = false; }
                return ok ? new CompiledCondition(op, operatorText, clause.Key, clause.Location, ranges: ranges) : null;
            }
            default:
                throw new InvalidOperationException($"unhandled operator family {op.Family}");
        }
    }

    /// <summary>
    /// Evaluates the clause against a request. Missing keys: <c>IfExists</c> and <c>ForAllValues</c> hold, negated
    /// operators hold, everything else fails. Values of one key OR together; for negated operators they AND.
    /// </summary>
    public ConditionOutcome Evaluate(RequestContext context)
    {
        var present = context.TryGetValues(Key, out var values);

        if (Operator.Kind == OperatorKind.Null)
        {
            // "Null": true means "the key is absent"; several policy values OR together.
            foreach (var expectAbsent in _bools)
                if (expectAbsent != present)
                    return ConditionOutcome.True;
            return ConditionOutcome.False;
        }

        if (present && Operator.Qualifier != SetQualifier.None && values!.Length == 1 && values[0].Length == 0)
            present = false; // AWS: a key that resolves to an empty data set, such as an empty string.

        if (!present)
        {
            if (Operator.IfExists)
                return ConditionOutcome.True;
            return Operator.Qualifier switch
            {
                SetQualifier.ForAllValues => ConditionOutcome.True,
                SetQualifier.ForAnyValue => ConditionOutcome.False,
                _ => Operator.IsNegated ? ConditionOutcome.True : ConditionOutcome.False,
            };
        }

        var negated = Operator.IsNegated;
        switch (Operator.Qualifier)
        {
            case SetQualifier.None:
            {
                // Any request value matching any policy value satisfies a positive operator; a negated operator holds
                // when none does.
                var matched = false;
                foreach (var v in values!)
                {
                    var m = MatchesAny(v, context);
                    if (m == ConditionOutcome.Error) return ConditionOutcome.Error;
                    matched |= m == ConditionOutcome.True;
                }
                return (matched != negated) ? ConditionOutcome.True : ConditionOutcome.False;
            }
            case SetQualifier.ForAnyValue:
            {
                var result = false;
                foreach (var v in values!)
                {
                    var m = MatchesAny(v, context);
                    if (m == ConditionOutcome.Error) return ConditionOutcome.Error;
                    result |= (m == ConditionOutcome.True) != negated;
                }
                return result ? ConditionOutcome.True : ConditionOutcome.False;
            }
            default:
            {
                var result = true;
                foreach (var v in values!)
                {
                    var m = MatchesAny(v, context);
                    if (m == ConditionOutcome.Error) return ConditionOutcome.Error;
                    result &= (m == ConditionOutcome.True) != negated;
                }
                return result ? ConditionOutcome.True : ConditionOutcome.False;
            }
        }
    }

    /// <summary>Whether one request value matches at least one policy value under the positive form of the operator.</summary>
    private ConditionOutcome MatchesAny(string value, RequestContext context)
    {
        switch (Operator.Family)
        {
            case OperatorFamily.String:
                foreach (var p in _patterns)
                    if (p.IsMatch(value, context))
                        return ConditionOutcome.True;
                return ConditionOutcome.False;

            case OperatorFamily.Arn:
                if (!Arn.HasArnShape(value))
                    return ConditionOutcome.Error;
                foreach (var p in _arns)
                    if (p.IsMatch(value, context))
                        return ConditionOutcome.True;
                return ConditionOutcome.False;

            case OperatorFamily.Numeric:
            {
                if (!ConditionValues.TryParseNumber(value, out var n))
                    return ConditionOutcome.Error;
                foreach (var p in _numbers)
                    if (Compare(n.CompareTo(p)))
                        return ConditionOutcome.True;
                return ConditionOutcome.False;
            }
            case OperatorFamily.Date:
            {
                if (!ConditionValues.TryParseDate(value, out var t))
                    return ConditionOutcome.Error;
                foreach (var p in _dates)
                    if (Compare(t.CompareTo(p)))
                        return ConditionOutcome.True;
                return ConditionOutcome.False;
            }
            case OperatorFamily.Bool:
            {
                if (!ConditionValues.TryParseBool(value, out var b))
                    return ConditionOutcome.Error;
                foreach (var p in _bools)
                    if (p == b)
                        return ConditionOutcome.True;
                return ConditionOutcome.False;
            }
            case OperatorFamily.Binary:
                foreach (var p in _binaries)
                {
                    if (!ConditionValues.TryBinaryEquals(value, p, out var equal))
                        return ConditionOutcome.Error;
                    if (equal)
                        return ConditionOutcome.True;
                }
                return ConditionOutcome.False;

            case OperatorFamily.Ip:
            {
                if (!ConditionValues.TryParseIp(value, out var address, out var isV6))
                    return ConditionOutcome.Error;
                foreach (var r in _ranges)
                    if (r.Contains(address, isV6))
                        return ConditionOutcome.True;
                return ConditionOutcome.False;
            }
            default:
                return ConditionOutcome.Error;
        }
    }

    /// <summary>Maps a comparison result (request value vs policy value) through the operator's relation.</summary>
    private bool Compare(int c) => Operator.Kind switch
    {
        OperatorKind.NumericEquals or OperatorKind.NumericNotEquals or OperatorKind.DateEquals or OperatorKind.DateNotEquals => c == 0,
        OperatorKind.NumericLessThan or OperatorKind.DateLessThan => c < 0,
        OperatorKind.NumericLessThanEquals or OperatorKind.DateLessThanEquals => c <= 0,
        OperatorKind.NumericGreaterThan or OperatorKind.DateGreaterThan => c > 0,
        OperatorKind.NumericGreaterThanEquals or OperatorKind.DateGreaterThanEquals => c >= 0,
        _ => false,
    };

    /// <summary>The policy values as written, for explanations.</summary>
    public ImmutableArray<string> PolicyValues { get; private init; } = [];
}
