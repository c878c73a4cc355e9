namespace Authz.Cli.Commands.Admin;

/// <summary>Bad command-line input found while running a command (a missing document, a malformed <c>KEY=VALUE</c>).</summary>
public sealed class AdminUsageException(string message) : Exception(message);
