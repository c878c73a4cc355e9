using Orleans;
using Orleans.Storage;

namespace Authz.Storage.Tests;

/// <summary>Extra rows (the future audit log) commit with the state write, or not at all.</summary>
public sealed class TransactionalWriteTests
{
    private const string StateName = "state";

    private static StorageWriteAction AppendAudit(string note) => async (tx, ct) =>
    {
        await using (var create = tx.CreateCommand("CREATE TABLE IF NOT EXISTS test_audit (service_id TEXT NOT NULL, note TEXT NOT NULL)"))
        {
            await create.ExecuteNonQueryAsync(ct);
        }

        await using var insert = tx.CreateCommand(
            "INSERT INTO test_audit (service_id, note) VALUES (@service_id, @note)",
            ("service_id", tx.ServiceId),
            ("note", note));
        await insert.ExecuteNonQueryAsync(ct);
    };

    private static async Task<long> AuditRowsAsync(TestStore store) =>
        await store.CountAsync(store.Backend == Backend.Sqlite
            ? "SELECT COUNT(*) FROM sqlite_master WHERE name = 'test_audit'"
            : "SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'test_audit' AND table_schema = current_schema()") == 0
            ? 0
            : await store.CountAsync("SELECT COUNT(*) FROM test_audit");

    [Theory, SqliteData, PostgresData]
    public async Task Extra_rows_commit_with_the_state(Backend backend)
    {
        await using var store = await TestStore.CreateAsync(backend);
        var storage = await store.StartProviderAsync();
        var grainId = TestStore.NewGrainId();
        var state = new GrainState<CounterState>(new CounterState { Count = 1 });

        await storage.WriteStateAsync(StateName, grainId, state, AppendAudit("created"));
        await storage.ClearStateAsync(StateName, grainId, state, AppendAudit("cleared"));

        Assert.Equal(2, await AuditRowsAsync(store));
        Assert.Equal(store.ServiceId, await store.ScalarAsync("SELECT service_id FROM test_audit WHERE note = 'cleared'"));
        Assert.Equal("2", state.ETag);
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_failing_extra_write_rolls_back_the_state_write(Backend backend)
    {
        await using var store = await TestStore.CreateAsync(backend);
        var storage = await store.StartProviderAsync();
        var grainId = TestStore.NewGrainId();
        var state = new GrainState<CounterState>(new CounterState { Count = 1 });
        await storage.WriteStateAsync(StateName, grainId, state, AppendAudit("created"));

        state.State!.Count = 2;
        StorageWriteAction failing = async (tx, ct) =>
        {
            await AppendAudit("never")(tx, ct);
            throw new InvalidOperationException("audit sink refused");
        };
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => storage.WriteStateAsync(StateName, grainId, state, failing));
        Assert.Equal("audit sink refused", error.Message);
        Assert.Equal("1", state.ETag);

        var stored = await GrainStorageTests.ReadAsync(storage, grainId);
        Assert.Equal(1, stored.State!.Count);
        Assert.Equal("1", stored.ETag);
        Assert.Equal(1, await AuditRowsAsync(store));
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_conflicting_state_write_runs_no_extra_write(Backend backend)
    {
        await using var store = await TestStore.CreateAsync(backend);
        var storage = await store.StartProviderAsync();
        var grainId = TestStore.NewGrainId();
        await storage.WriteStateAsync(StateName, grainId, new GrainState<CounterState>(new CounterState()), AppendAudit("created"));

        var stale = new GrainState<CounterState>(new CounterState());
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grainId, stale, AppendAudit("stale")));

        Assert.Equal(1, await AuditRowsAsync(store));
    }

    [Theory, SqliteData, PostgresData]
    public async Task An_ambient_scope_joins_the_next_write_of_the_flow_once(Backend backend)
    {
        await using var store = await TestStore.CreateAsync(backend);
        var storage = await store.StartProviderAsync();
        var grainId = TestStore.NewGrainId();
        var state = new GrainState<CounterState>(new CounterState { Count = 1 });

        using (var scope = StorageWriteScope.Enlist(AppendAudit("scoped")))
        {
            // The first attempt conflicts: the action stays pending and commits with the retry.
            var stale = new GrainState<CounterState>(new CounterState(), "7");
            await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grainId, stale));
            Assert.False(scope.IsCommitted);

            await storage.WriteStateAsync(StateName, grainId, state);
            Assert.True(scope.IsCommitted);

            // Later writes in the same scope do not repeat it.
            await storage.WriteStateAsync(StateName, grainId, state);
        }

        await storage.WriteStateAsync(StateName, grainId, state);
        Assert.Equal(1, await AuditRowsAsync(store));
        Assert.Equal("3", state.ETag);
    }

    [Fact]
    public async Task A_scope_does_not_leak_past_its_end_or_into_other_flows()
    {
        await using var store = await TestStore.CreateAsync(Backend.Sqlite);
        var storage = await store.StartProviderAsync();

        Task other;
        using (StorageWriteScope.Enlist(AppendAudit("scoped")))
        {
            // A flow started inside the scope inherits it, so start the unrelated flow with the context suppressed.
            using (ExecutionContext.SuppressFlow())
            {
                other = Task.Run(() => storage.WriteStateAsync(StateName, TestStore.NewGrainId(), new GrainState<CounterState>(new CounterState())));
            }

            await other;
            Assert.Equal(0, await AuditRowsAsync(store));
        }

        await storage.WriteStateAsync(StateName, TestStore.NewGrainId(), new GrainState<CounterState>(new CounterState()));
        Assert.Equal(0, await AuditRowsAsync(store));
    }
}
