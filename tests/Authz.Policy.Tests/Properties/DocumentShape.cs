using System.Text;
using System.Text.Json;
using Authz.Policy.Model;

namespace Authz.Policy.Tests.Properties;

/// <summary>
/// A structural description of a <see cref="PolicyDocument"/>: every element the parser records, except source
/// locations, written out one per line with JSON-quoted strings. Two documents are structurally equal when their
/// shapes are equal; the text also makes a readable diff. It is independent of <c>PolicyPrinter</c>.
/// </summary>
public static class DocumentShape
{
    public static string Of(PolicyDocument doc)
    {
        var sb = new StringBuilder();
        sb.Append("version=").Append(Quote(doc.Version)).Append(" id=").Append(Quote(doc.Id))
            .Append(" statementArray=").Append(doc.StatementIsArray).Append('\n');
        foreach (var s in doc.Statements)
        {
            sb.Append("statement ").Append(s.Index).Append(" sid=").Append(Quote(s.Sid)).Append(" effect=").Append(s.Effect).Append('\n');
            List(sb, s.Action.Negated ? "NotAction" : "Action", s.Action);
            if (s.Resource is { } resource)
                List(sb, resource.Negated ? "NotResource" : "Resource", resource);
            if (s.Principal is { } p)
            {
                sb.Append("  ").Append(p.Negated ? "NotPrincipal" : "Principal").Append(p.IsWildcard ? " *" : "").Append('\n');
                foreach (var e in p.Entries)
                    sb.Append("    ").Append(Quote(e.Type)).Append(" array=").Append(e.IsArray).Append(' ')
                        .AppendJoin(',', e.Values.Select(v => Quote(v.Value))).Append('\n');
            }
            foreach (var block in s.Conditions)
            {
                sb.Append("  condition ").Append(Quote(block.Operator)).Append('\n');
                foreach (var clause in block.Clauses)
                    sb.Append("    ").Append(Quote(clause.Key)).Append(" array=").Append(clause.IsArray).Append(' ')
                        .AppendJoin(',', clause.Values.Select(v => $"{v.Kind}:{Quote(v.Text)}")).Append('\n');
            }
        }
        return sb.ToString();
    }

    private static void List(StringBuilder sb, string name, ValueList list) =>
        sb.Append("  ").Append(name).Append(" array=").Append(list.IsArray).Append(' ')
            .AppendJoin(',', list.Values.Select(v => Quote(v.Value))).Append('\n');

    private static string Quote(string? s) => s is null ? "null" : JsonSerializer.Serialize(s);
}
