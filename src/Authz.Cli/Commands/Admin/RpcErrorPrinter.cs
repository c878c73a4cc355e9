using System.Text;
using Authz.Client;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace Authz.Cli.Commands.Admin;

/// <summary>
/// Prints a failed call for a person: the status code as the contract names it, the message, then one line per
/// google.rpc detail (field violations with their policy diagnostics, failed preconditions, quota overruns, the
/// entity not found).
/// </summary>
/// <example>
/// <code>
/// error: INVALID_ARGUMENT: the policy document is invalid
///   policy_document: statement[0].Condition: unknown operator `StringEqualz` (line 7, column 9)
/// </code>
/// </example>
public static class RpcErrorPrinter
{
    public static void Write(RpcException exception, AuthzTarget target, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(error);
        error.Write(Format(exception, target));
        error.Flush();
    }

    /// <summary>The text <see cref="Write"/> prints, one line per item, each ending in a newline.</summary>
    public static string Format(RpcException exception, AuthzTarget target)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(target);
        var text = new StringBuilder();
        var code = CodeName(exception.StatusCode);
        switch (exception.StatusCode)
        {
            case StatusCode.Unavailable:
                text.Append("error: ").Append(code).Append(": cannot reach the Authz server at `").Append(target)
                    .Append("`: ").AppendLine(Detail(exception));
                text.AppendLine("  hint: start it with `dotnet run --project src/Authz.Server`, or point --target (AUTHZ_TARGET) at a running one");
                return text.ToString();
            case StatusCode.DeadlineExceeded:
                text.Append("error: ").Append(code).Append(": no answer within ")
                    .Append(AdminInvocation.CallTimeout.TotalSeconds).Append(" s");
                if (exception.Status.Detail.Length > 0)
                    text.Append(": ").Append(exception.Status.Detail);
                text.AppendLine();
                return text.ToString();
        }

        if (exception.StatusCode == StatusCode.Unauthenticated)
        {
            text.Append("error: ").Append(code).Append(": ").AppendLine(exception.Status.Detail);
            text.AppendLine("  hint: pass an access key with --api-key or AUTHZ_API_KEY; a server started with `dotnet run --project src/Authz.Server` keeps its administrator key in data/bootstrap.key");
            return text.ToString();
        }

        var status = exception.GetRpcStatus();
        var message = status?.Message is { Length: > 0 } m ? m : Detail(exception);
        text.Append("error: ").Append(code).Append(": ").AppendLine(message);
        var details = new StringBuilder();
        foreach (var detail in status?.Details ?? [])
            AppendDetail(details, detail, message);
        // A detail that only repeats the message (the single field violation it was made from) is left out.
        foreach (var line in details.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries))
        {
            if (!string.Equals(line.Trim(), message.Trim(), StringComparison.Ordinal))
                text.AppendLine(line);
        }
        return text.ToString();
    }

    private static void AppendDetail(StringBuilder text, Any detail, string message)
    {
        if (detail.TryUnpack<BadRequest>(out var badRequest))
        {
            foreach (var v in badRequest.FieldViolations)
                text.Append("  ").Append(v.Field.Length > 0 ? v.Field : "request").Append(": ").AppendLine(v.Description);
        }
        else if (detail.TryUnpack<PreconditionFailure>(out var precondition))
        {
            foreach (var v in precondition.Violations)
                text.Append("  precondition failed").Append(Subject(v.Type, v.Subject)).AppendLine(Unless(v.Description, message));
        }
        else if (detail.TryUnpack<QuotaFailure>(out var quota))
        {
            foreach (var v in quota.Violations)
                text.Append("  quota exceeded").Append(Subject("", v.Subject)).AppendLine(Unless(v.Description, message));
        }
        else if (detail.TryUnpack<ResourceInfo>(out var resource))
        {
            // `user `bob` does not exist` already names it.
            if (!message.Contains($"`{resource.ResourceName}`", StringComparison.Ordinal))
                text.Append("  resource").Append(Subject(resource.ResourceType, resource.ResourceName)).AppendLine();
        }
        else if (detail.TryUnpack<ErrorInfo>(out var info))
        {
            text.Append("  reason: ").Append(info.Reason);
            if (info.Domain.Length > 0)
                text.Append(" (").Append(info.Domain).Append(')');
            text.AppendLine();
        }
        else
        {
            text.Append("  detail: ").AppendLine(detail.TypeUrl);
        }
    }

    // `: description`, unless it only repeats the status message.
    private static string Unless(string description, string message) =>
        description.Length == 0 || description == message ? "" : ": " + description;

    private static string Subject(string type, string subject) =>
        (type.Length, subject.Length) switch
        {
            (0, 0) => "",
            (0, _) => $" `{subject}`",
            (_, 0) => $" ({type})",
            _ => $" ({type}) `{subject}`",
        };

    // The transport's own explanation (connection refused, ...) is in the inner exception, not the status detail.
    private static string Detail(RpcException exception)
    {
        var inner = exception.Status.DebugException;
        while (inner?.InnerException is not null)
            inner = inner.InnerException;
        return inner?.Message is { Length: > 0 } reason ? reason
            : exception.Status.Detail.Length > 0 ? exception.Status.Detail
            : "no detail";
    }

    /// <summary>The status code as gRPC and the contract spell it: <c>NOT_FOUND</c>, <c>INVALID_ARGUMENT</c>.</summary>
    public static string CodeName(StatusCode code)
    {
        if (code == StatusCode.OK)
            return "OK";
        var name = code.ToString();
        var text = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
                text.Append('_');
            text.Append(char.ToUpperInvariant(name[i]));
        }
        return text.ToString();
    }
}
