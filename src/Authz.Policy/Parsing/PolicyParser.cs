using System.Collections.Immutable;
using Authz.Policy.Conditions;
using Authz.Policy.Model;

namespace Authz.Policy.Parsing;

/// <summary>The outcome of parsing: a document when there were no errors, and every diagnostic found.</summary>
public sealed record ParseResult(PolicyDocument? Document, ImmutableArray<Diagnostic> Diagnostics)
{
    /// <summary>True when the document parsed without errors (warnings may remain).</summary>
    public bool Success => Document is not null;

    /// <summary>The errors only.</summary>
    public IEnumerable<Diagnostic> Errors => Diagnostics.Where(d => d.Severity == Severity.Error);
}

/// <summary>
/// Parses IAM JSON policy documents: the full grammar, single strings or arrays wherever AWS accepts both, with
/// every error located by JSON path, line and column.
/// </summary>
public static class PolicyParser
{
    /// <summary>Diagnostic codes the parser emits (stable ids).</summary>
    public static class Codes
    {
        public const string MalformedJson = "AUTHZ0001";
        public const string TooLarge = "AUTHZ0002";
        public const string UnknownElement = "AUTHZ0003";
        public const string WrongType = "AUTHZ0004";
        public const string MissingElement = "AUTHZ0005";
        public const string ConflictingElements = "AUTHZ0006";
        public const string InvalidValue = "AUTHZ0007";
        public const string UnknownOperator = "AUTHZ0008";
        public const string LimitExceeded = "AUTHZ0009";
    }

    /// <summary>Parses a document given as a .NET string.</summary>
    public static ParseResult Parse(string json, ParseOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        byte[] bytes;
        try
        {
            bytes = JsonTree.EncodeStrict(json);
        }
        catch (JsonTreeException ex)
        {
            return Fail(Codes.MalformedJson, ex.Message, new SourceLocation("", ex.Line, ex.Column));
        }
        return Parse(bytes, options);
    }

    /// <summary>Parses a document given as UTF-8 bytes (invalid UTF-8 is an error).</summary>
    public static ParseResult Parse(ReadOnlySpan<byte> utf8, ParseOptions? options = null)
    {
        options ??= ParseOptions.StrictDefault;
        if (options.Strict && options.MaxDocumentCharacters is { } max)
        {
            var count = CountNonWhitespace(utf8);
            if (count > max)
                return Fail(Codes.TooLarge, $"document has {count} non-whitespace characters, more than the limit of {max}", new SourceLocation("", 1, 1));
        }

        JNode root;
        try
        {
            root = JsonTree.Parse(utf8, options.MaxDepth);
        }
        catch (JsonTreeException ex)
        {
            return Fail(Codes.MalformedJson, ex.Message, new SourceLocation(ex.Path, ex.Line, ex.Column));
        }

        var reader = new DocumentReader(options);
        var doc = reader.ReadDocument(root);
        var diagnostics = reader.Diagnostics.ToImmutableArray();
        return new ParseResult(diagnostics.Any(d => d.Severity == Severity.Error) ? null : doc, diagnostics);
    }

    private static ParseResult Fail(string code, string message, SourceLocation at) =>
        new(null, [new Diagnostic(code, Severity.Error, message, at)]);

    private static int CountNonWhitespace(ReadOnlySpan<byte> utf8)
    {
        var count = 0;
        foreach (var b in utf8)
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r') && (b & 0xC0) != 0x80)
                count++;
        return count;
    }

    /// <summary>Walks the JSON tree, collecting every error rather than stopping at the first.</summary>
    private sealed class DocumentReader(ParseOptions options)
    {
        public List<Diagnostic> Diagnostics { get; } = [];

        private static readonly string[] PrincipalTypes = ["AWS", "Service", "Federated", "CanonicalUser"];

        public PolicyDocument? ReadDocument(JNode root)
        {
            if (root.Kind != JKind.Object)
            {
                Error(Codes.WrongType, "", root, $"policy document must be a JSON object, not {Article(root.KindName)}");
                return null;
            }

            string? version = null, id = null;
            JNode? statementNode = null;
            foreach (var (key, keyNode, value) in root.Members!)
            {
                switch (key)
                {
                    case "Version":
                        version = ReadString("Version", value);
                        if (version is not null and not ("2012-10-17" or "2008-10-17"))
                            Error(Codes.InvalidValue, "Version", value, $"unsupported version `{version}`; use `2012-10-17`");
                        break;
                    case "Id":
                        id = ReadString("Id", value);
                        break;
                    case "Statement":
                        statementNode = value;
                        break;
                    default:
                        Unknown("", keyNode, key, "Version, Id, Statement");
                        break;
                }
            }

            if (statementNode is null)
            {
                Error(Codes.MissingElement, "", root, "missing required element `Statement`");
                return null;
            }

            var statements = ImmutableArray.CreateBuilder<PolicyStatement>();
            bool isArray;
            switch (statementNode.Kind)
            {
                case JKind.Object:
                    isArray = false;
                    AddIfNotNull(statements, ReadStatement(statementNode, 0));
                    break;
                case JKind.Array:
                    isArray = true;
                    if (statementNode.Items!.Count == 0)
                        Error(Codes.MissingElement, "Statement", statementNode, "`Statement` must contain at least one statement");
                    if (statementNode.Items.Count > options.MaxStatements)
                        Error(Codes.LimitExceeded, "Statement", statementNode, $"{statementNode.Items.Count} statements exceed the limit of {options.MaxStatements}");
                    for (var i = 0; i < statementNode.Items.Count; i++)
                    {
                        var item = statementNode.Items[i];
                        if (item.Kind != JKind.Object)
                        {
                            Error(Codes.WrongType, $"statement[{i}]", item, $"statement must be a JSON object, not {Article(item.KindName)}");
                            continue;
                        }
                        AddIfNotNull(statements, ReadStatement(item, i));
                    }
                    break;
                default:
                    Error(Codes.WrongType, "Statement", statementNode, $"`Statement` must be an object or an array, not {Article(statementNode.KindName)}");
                    return null;
            }

            return new PolicyDocument(version, id, statements.ToImmutable(), isArray);
        }

        private PolicyStatement? ReadStatement(JNode node, int index)
        {
            var path = $"statement[{index}]";
            string? sid = null;
            Effect? effect = null;
            ValueList? action = null, resource = null;
            PrincipalElement? principal = null;
            var conditions = ImmutableArray<ConditionBlock>.Empty;
            JNode? actionKey = null, resourceKey = null, principalKey = null;
            var ok = true;

            foreach (var (key, keyNode, value) in node.Members!)
            {
                switch (key)
                {
                    case "Sid":
                        sid = ReadString($"{path}.Sid", value);
                        if (sid is not null && sid.Length > options.MaxKeyLength)
                            Error(Codes.LimitExceeded, $"{path}.Sid", value, $"`Sid` is longer than {options.MaxKeyLength} characters");
                        break;
                    case "Effect":
                        var e = ReadString($"{path}.Effect", value);
                        if (e == "Allow") effect = Effect.Allow;
                        else if (e == "Deny") effect = Effect.Deny;
                        else if (e is not null)
                            Error(Codes.InvalidValue, $"{path}.Effect", value, $"invalid effect `{e}`; expected `Allow` or `Deny`");
                        if (effect is null) ok = false;
                        break;
                    case "Action" or "NotAction":
                        if (actionKey is not null)
                        {
                            Error(Codes.ConflictingElements, path, keyNode, $"`{key}` cannot be combined with `{actionKey.Text}`");
                            ok = false;
                            break;
                        }
                        actionKey = keyNode;
                        action = ReadValueList($"{path}.{key}", value, key == "NotAction");
                        ok &= action is not null;
                        break;
                    case "Resource" or "NotResource":
                        if (resourceKey is not null)
                        {
                            Error(Codes.ConflictingElements, path, keyNode, $"`{key}` cannot be combined with `{resourceKey.Text}`");
                            ok = false;
                            break;
                        }
                        resourceKey = keyNode;
                        resource = ReadValueList($"{path}.{key}", value, key == "NotResource");
                        ok &= resource is not null;
                        break;
                    case "Principal" or "NotPrincipal":
                        if (principalKey is not null)
                        {
                            Error(Codes.ConflictingElements, path, keyNode, $"`{key}` cannot be combined with `{principalKey.Text}`");
                            ok = false;
                            break;
                        }
                        principalKey = keyNode;
                        principal = ReadPrincipal($"{path}.{key}", value, key == "NotPrincipal");
                        ok &= principal is not null;
                        break;
                    case "Condition":
                        var c = ReadCondition($"{path}.Condition", value);
                        if (c is null) ok = false;
                        else conditions = c.Value;
                        break;
                    default:
                        Unknown(path, keyNode, key, "Sid, Effect, Action, NotAction, Resource, NotResource, Principal, NotPrincipal, Condition");
                        break;
                }
            }

            if (!node.Members.Any(m => m.Key == "Effect"))
            {
                Error(Codes.MissingElement, path, node, "missing required element `Effect`");
                ok = false;
            }
            if (actionKey is null)
            {
                Error(Codes.MissingElement, path, node, "missing required element `Action` or `NotAction`");
                ok = false;
            }
            if (!ok)
                return null;

            return new PolicyStatement
            {
                Index = index,
                Sid = sid,
                Effect = effect!.Value,
                Action = action!,
                Resource = resource,
                Principal = principal,
                Conditions = conditions,
                Location = Loc(path, node),
            };
        }

        private ValueList? ReadValueList(string path, JNode node, bool negated)
        {
            var values = ReadStringOrArray(path, node, allowEmpty: false);
            return values is null ? null : new ValueList(negated, values.Value, node.Kind == JKind.Array, Loc(path, node));
        }

        private ImmutableArray<LocatedString>? ReadStringOrArray(string path, JNode node, bool allowEmpty)
        {
            if (node.Kind == JKind.String)
            {
                CheckLength(path, node);
                if (node.Text!.Length == 0)
                {
                    Error(Codes.InvalidValue, path, node, "value must not be empty");
                    return null;
                }
                return [new LocatedString(node.Text, Loc(path, node))];
            }
            if (node.Kind != JKind.Array)
            {
                Error(Codes.WrongType, path, node, $"expected a string or an array of strings, not {Article(node.KindName)}");
                return null;
            }
            if (node.Items!.Count == 0 && !allowEmpty)
            {
                Error(Codes.InvalidValue, path, node, "array must not be empty");
                return null;
            }
            var builder = ImmutableArray.CreateBuilder<LocatedString>(node.Items.Count);
            var ok = true;
            for (var i = 0; i < node.Items.Count; i++)
            {
                var item = node.Items[i];
                var itemPath = $"{path}[{i}]";
                if (item.Kind != JKind.String)
                {
                    Error(Codes.WrongType, itemPath, item, $"expected a string, not {Article(item.KindName)}");
                    ok = false;
                    continue;
                }
                CheckLength(itemPath, item);
                if (item.Text!.Length == 0)
                {
                    Error(Codes.InvalidValue, itemPath, item, "value must not be empty");
                    ok = false;
                    continue;
                }
                builder.Add(new LocatedString(item.Text, Loc(itemPath, item)));
            }
            return ok ? builder.ToImmutable() : null;
        }

        private PrincipalElement? ReadPrincipal(string path, JNode node, bool negated)
        {
            if (node.Kind == JKind.String)
            {
                if (node.Text == "*")
                    return new PrincipalElement(negated, true, [], Loc(path, node));
                Error(Codes.InvalidValue, path, node, $"a string principal must be `*`; name principals as {{\"AWS\": \"{Escape(node.Text!)}\"}}");
                return null;
            }
            if (node.Kind != JKind.Object)
            {
                Error(Codes.WrongType, path, node, $"expected `*` or an object, not {Article(node.KindName)}");
                return null;
            }
            if (node.Members!.Count == 0)
            {
                Error(Codes.InvalidValue, path, node, "principal object must name at least one principal type");
                return null;
            }
            var entries = ImmutableArray.CreateBuilder<PrincipalEntry>();
            var ok = true;
            foreach (var (key, keyNode, value) in node.Members)
            {
                var type = PrincipalTypes.FirstOrDefault(t => t == key);
                if (type is null)
                {
                    Error(Codes.InvalidValue, path, keyNode, $"unknown principal type `{key}`; expected one of AWS, Service, Federated, CanonicalUser");
                    ok = false;
                    continue;
                }
                var values = ReadStringOrArray($"{path}.{key}", value, allowEmpty: false);
                if (values is null) { ok = false; continue; }
                entries.Add(new PrincipalEntry(type, values.Value, value.Kind == JKind.Array));
            }
            return ok ? new PrincipalElement(negated, false, entries.ToImmutable(), Loc(path, node)) : null;
        }

        private ImmutableArray<ConditionBlock>? ReadCondition(string path, JNode node)
        {
            if (node.Kind != JKind.Object)
            {
                Error(Codes.WrongType, path, node, $"`Condition` must be an object, not {Article(node.KindName)}");
                return null;
            }
            var blocks = ImmutableArray.CreateBuilder<ConditionBlock>();
            var ok = true;
            foreach (var (opName, opKey, body) in node.Members!)
            {
                if (!ConditionOperator.TryParse(opName, out _, out var error))
                {
                    Error(Codes.UnknownOperator, path, opKey, error);
                    ok = false;
                    continue;
                }
                var opPath = $"{path}.{opName}";
                if (body.Kind != JKind.Object)
                {
                    Error(Codes.WrongType, opPath, body, $"operator `{opName}` must map condition keys to values, not {Article(body.KindName)}");
                    ok = false;
                    continue;
                }
                if (body.Members!.Count == 0)
                {
                    Error(Codes.InvalidValue, opPath, body, $"operator `{opName}` has no condition keys");
                    ok = false;
                    continue;
                }
                var clauses = ImmutableArray.CreateBuilder<ConditionClause>();
                foreach (var (key, keyNode, values) in body.Members)
                {
                    var keyPath = $"{opPath}.{key}";
                    if (key.Length == 0 || key.Length > options.MaxKeyLength)
                    {
                        Error(Codes.InvalidValue, opPath, keyNode, key.Length == 0 ? "condition key must not be empty" : $"condition key is longer than {options.MaxKeyLength} characters");
                        ok = false;
                        continue;
                    }
                    var read = ReadConditionValues(keyPath, values);
                    if (read is null) { ok = false; continue; }
                    clauses.Add(new ConditionClause(key, read.Value, values.Kind == JKind.Array, Loc(keyPath, keyNode)));
                }
                blocks.Add(new ConditionBlock(opName, clauses.ToImmutable(), Loc(opPath, opKey)));
            }
            return ok ? blocks.ToImmutable() : null;
        }

        private ImmutableArray<ConditionValue>? ReadConditionValues(string path, JNode node)
        {
            if (node.Kind == JKind.Array)
            {
                if (node.Items!.Count == 0)
                {
                    Error(Codes.InvalidValue, path, node, "condition values must not be an empty array");
                    return null;
                }
                var builder = ImmutableArray.CreateBuilder<ConditionValue>(node.Items.Count);
                var ok = true;
                for (var i = 0; i < node.Items.Count; i++)
                {
                    var v = ReadScalar($"{path}[{i}]", node.Items[i]);
                    if (v is null) ok = false;
                    else builder.Add(v.Value);
                }
                return ok ? builder.ToImmutable() : null;
            }
            var single = ReadScalar(path, node);
            return single is null ? null : [single.Value];
        }

        private ConditionValue? ReadScalar(string path, JNode node)
        {
            var kind = node.Kind switch
            {
                JKind.String => ConditionValueKind.String,
                JKind.Number => ConditionValueKind.Number,
                JKind.True or JKind.False => ConditionValueKind.Boolean,
                _ => (ConditionValueKind?)null,
            };
            if (kind is null)
            {
                Error(Codes.WrongType, path, node, $"condition value must be a string, number or boolean, not {Article(node.KindName)}");
                return null;
            }
            CheckLength(path, node);
            return new ConditionValue(node.Text!, kind.Value, Loc(path, node));
        }

        private string? ReadString(string path, JNode node)
        {
            if (node.Kind == JKind.String)
            {
                CheckLength(path, node);
                return node.Text;
            }
            Error(Codes.WrongType, path, node, $"expected a string, not {Article(node.KindName)}");
            return null;
        }

        private void CheckLength(string path, JNode node)
        {
            if (node.Text is { } t && t.Length > options.MaxValueLength && options.Strict)
                Error(Codes.LimitExceeded, path, node, $"value is longer than {options.MaxValueLength} characters");
        }

        private void Unknown(string path, JNode keyNode, string key, string expected)
        {
            var message = $"unknown element `{key}`; expected one of {expected}";
            var severity = options.Strict ? Severity.Error : Severity.Warning;
            Diagnostics.Add(new Diagnostic(Codes.UnknownElement, severity, message, Loc(path, keyNode)));
        }

        private void Error(string code, string path, JNode at, string message) =>
            Diagnostics.Add(new Diagnostic(code, Severity.Error, message, Loc(path, at)));

        private static SourceLocation Loc(string path, JNode node) => new(path, node.Line, node.Column);

        private static void AddIfNotNull(ImmutableArray<PolicyStatement>.Builder list, PolicyStatement? s)
        {
            if (s is not null) list.Add(s);
        }

        private static string Article(string kind) => kind is "object" or "array" ? "an " + kind : "a " + kind;

        private static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"");
    }
}
