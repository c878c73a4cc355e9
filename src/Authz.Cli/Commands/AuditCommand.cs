using System.CommandLine;
using System.Globalization;
using Authz.Cli.Commands.Admin;
using Google.Protobuf.WellKnownTypes;

namespace Authz.Cli.Commands;

/// <summary><c>authz audit list</c>: a tenant's audit events (every admin change: who, what, when, revisions), oldest first.</summary>
public static class AuditCommand
{
    public static Command Create(TextReader? input = null)
    {
        var globals = new AdminGlobals(input);
        var group = new AdminGroup("audit", "The audit log: every admin change with its caller, target, request id and revisions", globals);
        var tenant = AdminOptions.Tenant();
        var since = new Option<DateTimeOffset?>("--since") { Description = "Only events at or after this time (ISO 8601)" };
        var until = new Option<DateTimeOffset?>("--until") { Description = "Only events before this time (ISO 8601)" };
        group.List("list", "List a tenant's audit events, oldest first", [tenant, since, until],
            (p, c, page) => c.Admin.ListAuditEventsAsync(new()
            {
                TenantId = p.GetRequiredValue(tenant),
                PageToken = page,
                StartTime = p.GetValue(since) is { } s ? Timestamp.FromDateTimeOffset(s) : null,
                EndTime = p.GetValue(until) is { } u ? Timestamp.FromDateTimeOffset(u) : null,
            }),
            r => r.Events,
            new("EVENT", e => e.EventId.ToString(CultureInfo.InvariantCulture)),
            new("TIME", e => MessagePrinter.Time(e.EventTime)),
            new("CALLER", e => e.CallerArn),
            new("RPC", e => e.Rpc),
            new("TARGET", e => e.TargetArn),
            new("REVISION", e => $"{e.RevisionBefore}->{e.RevisionAfter}"),
            new("REQUEST_ID", e => e.RequestId));
        return group.Command;
    }
}
