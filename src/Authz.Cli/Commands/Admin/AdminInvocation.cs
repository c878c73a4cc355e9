using System.CommandLine;
using Authz.Client;
using Authz.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;
using AdminStub = Authz.V1.Admin.AdminClient;
using AuthorizationStub = Authz.V1.Authorization.AuthorizationClient;

namespace Authz.Cli.Commands.Admin;

/// <summary>
/// One run of an admin command: the stubs over a client for <c>--target</c>, where output goes, and how it is
/// formatted. <see cref="RunAsync"/> turns what a command throws into a message on standard error and an exit code.
/// </summary>
public sealed class AdminInvocation
{
    /// <summary>The deadline of each call (a check with <c>--min-revision</c> waits at most this long).</summary>
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    private AdminInvocation(CallInvoker invoker, AuthzTarget target, ParseResult parse, AdminGlobals globals)
    {
        Admin = new AdminStub(invoker);
        Authorization = new AuthorizationStub(invoker);
        Target = target;
        Globals = globals;
        Output = parse.InvocationConfiguration.Output;
        Json = parse.GetValue(globals.Output) == "json";
    }

    public AdminStub Admin { get; }

    public AuthorizationStub Authorization { get; }

    public AuthzTarget Target { get; }

    public AdminGlobals Globals { get; }

    public TextWriter Output { get; }

    /// <summary>Whether <c>--output json</c> was asked for.</summary>
    public bool Json { get; }

    /// <summary>Prints a response: its fields as text, or the message as JSON.</summary>
    public void Print(IMessage message) => MessagePrinter.Write(message, Output, Json);

    /// <summary>
    /// Connects a client to <c>--target</c> and runs <paramref name="body"/>; returns its exit code, or
    /// <see cref="AdminExitCodes.Usage"/> for bad input and <see cref="AdminExitCodes.Failed"/> for a failed call.
    /// </summary>
    public static async Task<int> RunAsync(ParseResult parse, AdminGlobals globals, Func<AdminInvocation, Task<int>> body,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(globals);
        ArgumentNullException.ThrowIfNull(body);
        var error = parse.InvocationConfiguration.Error;
        var targetText = parse.GetValue(globals.Target) ?? AdminGlobals.DefaultTarget;
        if (!AuthzTarget.TryParse(targetText, out var target, out var targetError))
        {
            error.WriteLine("error: --target: " + targetError);
            return AdminExitCodes.Usage;
        }

        using var client = AuthzClient.Create(new AuthzClientOptions { Targets = [target], ApiKey = globals.ApiKeyFrom(parse) });
        var invoker = client.CallInvoker.Intercept(new CallDefaultsInterceptor(CallTimeout, cancellationToken));
        try
        {
            return await body(new AdminInvocation(invoker, target, parse, globals)).ConfigureAwait(false);
        }
        catch (AdminUsageException ex)
        {
            error.WriteLine("error: " + ex.Message);
            return AdminExitCodes.Usage;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            error.WriteLine("interrupted");
            return AdminExitCodes.Interrupted;
        }
        catch (RpcException ex)
        {
            RpcErrorPrinter.Write(ex, target, error);
            return AdminExitCodes.Failed;
        }
    }
}

/// <summary>The exit codes of the admin commands.</summary>
public static class AdminExitCodes
{
    /// <summary>The call succeeded; for <c>check</c>, the decision is ALLOW.</summary>
    public const int Ok = 0;

    /// <summary>The server refused the call or could not be reached; the status and its details are on standard error.</summary>
    public const int Failed = 1;

    /// <summary>Bad command-line input: a missing or unreadable document, a malformed <c>KEY=VALUE</c>, a bad target.</summary>
    public const int Usage = 2;

    /// <summary><c>check</c> only: the decision is EXPLICIT_DENY or IMPLICIT_DENY (or anything but ALLOW).</summary>
    public const int Denied = 3;

    /// <summary>Ctrl+C.</summary>
    public const int Interrupted = 130;
}
