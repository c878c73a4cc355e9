using System.CommandLine;
using System.Globalization;
using System.Text;
using Authz.V1;

namespace Authz.Cli.Commands.Admin;

/// <summary>
/// <c>authz check --principal ARN --action A --resource ARN [--context KEY=VALUE ...] [--min-revision N] [--explain]</c>:
/// one <c>Authorize</c> call. Prints the decision, the revision it was evaluated at and the statements that decided it;
/// exits 0 for ALLOW and 3 for any deny, so that scripts can branch on it.
/// </summary>
public static class CheckCommand
{
    public static Command Create(AdminGlobals globals)
    {
        ArgumentNullException.ThrowIfNull(globals);
        var principal = AdminOptions.Required("--principal", "The principal ARN: a user, a role, or a role session (arn:aws:sts::<tenant>:assumed-role/<role>/<session>)");
        var action = AdminOptions.Required("--action", "The action, service:Action, e.g. s3:GetObject");
        var resource = AdminOptions.Required("--resource", "The resource ARN, or * for actions without one");
        var tenant = AdminOptions.Optional("--tenant", "The tenant whose policies govern the check [default: the principal's account]");
        var context = new Option<string[]>("--context")
        {
            Description = "A request context key and value, e.g. aws:SourceIp=10.20.1.5; repeat a key for a multivalued key",
            HelpName = "KEY=VALUE",
        };
        var minRevision = new Option<ulong>("--min-revision") { Description = "Evaluate on data at least this fresh: a revision printed by a write" };
        var explain = new Option<bool>("--explain") { Description = "Also print the statements that failed only on a condition, and why" };

        var command = new Command("check", "Ask the service for a decision: exit code 0 for ALLOW, 3 for EXPLICIT_DENY or IMPLICIT_DENY")
        {
            principal, action, resource, tenant, context, minRevision, explain,
        };
        globals.AddTo(command);
        command.SetAction((parse, cancellationToken) => AdminInvocation.RunAsync(parse, globals, async invocation =>
        {
            var request = new AuthorizeRequest
            {
                TenantId = parse.ValueOrEmpty(tenant),
                Principal = parse.GetRequiredValue(principal),
                Action = parse.GetRequiredValue(action),
                Resource = parse.GetRequiredValue(resource),
                MinRevision = parse.GetValue(minRevision),
                Explain = parse.GetValue(explain),
            };
            foreach (var (key, value) in parse.KeyValues(context))
            {
                if (!request.Context.TryGetValue(key, out var values))
                    request.Context[key] = values = new ContextValues();
                values.Values.Add(value);
            }

            var response = await invocation.Authorization.AuthorizeAsync(request);
            if (invocation.Json)
                invocation.Print(response);
            else
                invocation.Output.Write(Text(response));
            return response.Decision == Decision.Allow ? AdminExitCodes.Ok : AdminExitCodes.Denied;
        }, cancellationToken));
        return command;
    }

    /// <summary>The decision as printed with <c>--output text</c>.</summary>
    public static string Text(AuthorizeResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var text = new StringBuilder();
        text.Append("decision: ").AppendLine(MessagePrinter.EnumName(response.Decision));
        text.Append("revision: ").AppendLine(response.Revision.ToString(CultureInfo.InvariantCulture));
        if (response.Reason.Length > 0)
            text.Append("reason: ").AppendLine(response.Reason);
        if (response.Determining.Count > 0)
        {
            text.AppendLine("determining:");
            foreach (var statement in response.Determining)
                text.Append("  - ").AppendLine(Statement(statement));
        }
        if (response.ConditionMismatches.Count > 0)
        {
            text.AppendLine("condition mismatches:");
            foreach (var mismatch in response.ConditionMismatches)
            {
                text.Append("  - ").Append(mismatch.IsDeny ? "deny " : "allow ").AppendLine(Statement(mismatch.Statement));
                foreach (var failed in mismatch.FailedConditions)
                    text.Append("      ").Append(failed.Operator).Append(' ').Append(failed.Key).Append(": ").AppendLine(failed.Reason);
            }
        }
        return text.ToString();
    }

    /// <summary><c>identity arn:aws:iam::111122223333:policy/MlDataAccess v1 statement[0] (ReadTeamData)</c>.</summary>
    public static string Statement(StatementReference statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        var text = new StringBuilder();
        text.Append(MessagePrinter.EnumName(statement.PolicyType).ToLowerInvariant().Replace('_', ' '));
        if (statement.Policy.Length > 0)
            text.Append(' ').Append(statement.Policy);
        if (statement.Version.Length > 0)
            text.Append(' ').Append(statement.Version);
        if (statement.AttachedTo.Length > 0 && statement.AttachedTo != statement.Policy)
            text.Append(" on ").Append(statement.AttachedTo);
        text.Append(" statement[").Append(statement.StatementIndex).Append(']');
        if (statement.Sid.Length > 0)
            text.Append(" (").Append(statement.Sid).Append(')');
        return text.ToString();
    }
}
