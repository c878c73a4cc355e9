using System.Data.Common;

namespace Authz.Storage;

/// <summary>
/// Extra rows written in the same database transaction as a grain state write, e.g. an audit record of the admin
/// change that produced the new state. The state write and these rows commit together or not at all.
/// </summary>
/// <param name="transaction">The open transaction, already holding the state row.</param>
/// <param name="cancellationToken">Cancels the write; the whole transaction then rolls back.</param>
public delegate Task StorageWriteAction(StorageTransaction transaction, CancellationToken cancellationToken);

/// <summary>
/// The open transaction of a grain state write, handed to a <see cref="StorageWriteAction"/>. Use
/// <see cref="CreateCommand"/> so that each command joins the transaction; do not commit or roll back yourself.
/// </summary>
public sealed class StorageTransaction
{
    private readonly int _commandTimeoutSeconds;

    internal StorageTransaction(StorageProviderKind provider, string serviceId, DbConnection connection, DbTransaction transaction, int commandTimeoutSeconds)
    {
        Provider = provider;
        ServiceId = serviceId;
        Connection = connection;
        Transaction = transaction;
        _commandTimeoutSeconds = commandTimeoutSeconds;
    }

    /// <summary>The database kind, for SQL that differs between SQLite and PostgreSQL.</summary>
    public StorageProviderKind Provider { get; }

    /// <summary>The Orleans service id the state rows are stored under.</summary>
    public string ServiceId { get; }

    /// <summary>The connection of the transaction.</summary>
    public DbConnection Connection { get; }

    /// <summary>The transaction itself.</summary>
    public DbTransaction Transaction { get; }

    /// <summary>
    /// Creates a command enlisted in the transaction, with named parameters (<c>@name</c> in the SQL text, given here
    /// without the <c>@</c>). A null value is sent as SQL NULL.
    /// </summary>
    public DbCommand CreateCommand(string commandText, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(commandText);
        var command = Connection.CreateCommand();
        command.Transaction = Transaction;
        command.CommandTimeout = _commandTimeoutSeconds;
        command.CommandText = commandText;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }
}
