namespace Authz.Storage;

/// <summary>
/// Joins extra rows to the next grain state write or clear made by an Authz grain storage in the current async flow,
/// for grains that persist through <c>IPersistentState&lt;T&gt;</c> and so cannot pass a
/// <see cref="StorageWriteAction"/> themselves:
/// <code>
/// using (var scope = StorageWriteScope.Enlist((tx, ct) => auditLog.AppendAsync(tx, entry, ct)))
/// {
///     await state.WriteStateAsync();   // the state row and the audit row commit together
/// }
/// </code>
/// The action runs once, in the first write inside the scope; <see cref="IsCommitted"/> then tells whether that
/// write committed. A write that fails leaves the action pending for a retry inside the same scope.
/// </summary>
public sealed class StorageWriteScope : IDisposable
{
    private static readonly AsyncLocal<StorageWriteScope?> s_current = new();

    private readonly StorageWriteScope? _parent;
    private readonly StorageWriteAction _action;
    private bool _inUse;
    private bool _disposed;

    private StorageWriteScope(StorageWriteAction action, StorageWriteScope? parent)
    {
        _action = action;
        _parent = parent;
    }

    /// <summary>Whether the write that ran the action has committed.</summary>
    public bool IsCommitted { get; private set; }

    /// <summary>Starts a scope whose action joins the next state write in this async flow.</summary>
    public static StorageWriteScope Enlist(StorageWriteAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var scope = new StorageWriteScope(action, s_current.Value);
        s_current.Value = scope;
        return scope;
    }

    /// <summary>Ends the scope. An action that never ran is dropped.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (ReferenceEquals(s_current.Value, this))
        {
            s_current.Value = _parent;
        }
    }

    /// <summary>Claims the pending action of the innermost open scope, if any, for one write.</summary>
    internal static StorageWriteScope? Claim()
    {
        var scope = s_current.Value;
        if (scope is null || scope._disposed || scope._inUse || scope.IsCommitted)
        {
            return null;
        }

        scope._inUse = true;
        return scope;
    }

    internal Task RunAsync(StorageTransaction transaction, CancellationToken cancellationToken) => _action(transaction, cancellationToken);

    /// <summary>Records the outcome of the write that claimed the action.</summary>
    internal void Complete(bool committed)
    {
        _inUse = false;
        IsCommitted = committed;
    }
}
