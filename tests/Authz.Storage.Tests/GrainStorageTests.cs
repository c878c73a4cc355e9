using Orleans;
using Orleans.Storage;

namespace Authz.Storage.Tests;

/// <summary>The IGrainStorage contract, run against every backend.</summary>
public sealed class GrainStorageTests
{
    private const string StateName = "state";

    [Theory, SqliteData, PostgresData]
    public async Task Read_of_a_missing_record_gives_a_fresh_state_and_no_etag(Backend backend)
    {
        await using var store = await TestStore.CreateAsync(backend);
        var storage = await store.StartProviderAsync();

        var state = new GrainState<CounterState>(new CounterState { Count = 99 });
        await storage.ReadStateAsync(StateName, TestStore.NewGrainId(), state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Equal(0, state.State!.Count);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Written_state_reads_back_equal_and_each_write_advances_the_etag(Backend backend)
    {
        await using var store = await TestStore.CreateAsync(backend);
        var storage = await store.StartProviderAsync();
        var grainId = TestStore.NewGrainId();

        var written = new GrainState<CounterState>(new CounterState
        {
            Count = 3,
            Revision = ulong.MaxValue,
            Items = ["a", "b \"quoted\" ü"],
            Tags = new() { ["team"] = "ml", ["Cost-Center"] = "" },
            Mode = CounterMode.Counting,
            Note = null,
        });
        await storage.WriteStateAsync(StateName, grainId, written);
        Assert.Equal("1", written.ETag);
        Assert.True(written.RecordExists);

        var read = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync(StateName, grainId, read);
        Assert.True(read.RecordExists);
        Assert.Equal("1", read.ETag);
        Assert.Equal(3, read.State!.Count);
        Assert.Equal(ulong.MaxValue, read.State!.Revision);
        Assert.Equal(["a", "b \"quoted\" ü"], read.State!.Items);
        Assert.Equal(new Dictionary<string, string> { ["team"] = "ml", ["Cost-Center"] = "" }, read.State!.Tags);
        Assert.Equal(CounterMode.Counting, read.State!.Mode);
        Assert.Null(read.State!.Note);

        read.State!.Count = 4;
        await storage.WriteStateAsync(StateName, grainId, read);
        Assert.Equal("2", read.ETag);

        var again = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync(StateName, grainId, again);
        Assert.Equal(4, again.State!.Count);
        Assert.Equal("2", again.ETag);
    }

    [Theory, SqliteData, PostgresData]
    public async Task States_of_other_names_types_keys_and_services_are_separate(Backend backend)
    {
        await using var store = await TestStore.CreateAsync(backend);
        var storage = await store.StartProviderAsync();
        var grainId = TestStore.NewGrainId("counter");
        var sameKeyOtherType = Orleans.Runtime.GrainId.Create("other", grainId.Key.ToString()!);

        await storage.WriteStateAsync("a", grainId, new GrainState<CounterState>(new CounterState { Count = 1 }));
        await storage.WriteStateAsync("b", grainId, new GrainState<CounterState>(new CounterState { Count = 2 }));
        await storage.WriteStateAsync("a", sameKeyOtherType, new GrainState<CounterState>(new CounterState { Count = 3 }));

        Assert.Equal(1, (await ReadAsync(storage, grainId, "a")).State!.Count);
        Assert.Equal(2, (await ReadAsync(storage, grainId, "b")).State!.Count);
        Assert.Equal(3, (await ReadAsync(storage, sameKeyOtherType, "a")).State!.Count);

        var otherService = new AuthzGrainStorage("other", store.CreateOptions(), "another-service",
            Microsoft.Extensions.Logging.Abstractions.NullLogger<AuthzGrainStorage>.Instance);
        await using (otherService)
        {
            Assert.False((await ReadAsync(otherService, grainId, "a")).RecordExists);
        }
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_writer_with_a_stale_etag_is_refused_and_changes_nothing(Backend backend)
    {
        await using var store = await TestStore.CreateAsync(backend);
        var storage = await store.StartProviderAsync();
        var grainId = TestStore.NewGrainId();
        await storage.WriteStateAsync(StateName, grainId, new GrainState<CounterState>(new CounterState { Count = 1 }));

        var first = await ReadAsync(storage, grainId);
        var second = await ReadAsync(storage, grainId);
        first.State!.Count = 10;
        await storage.WriteStateAsync(StateName, grainId, first);

        second.State!.Count = 20;
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grainId, second));
        Assert.Equal("2", conflict.StoredEtag);
        Assert.Equal("1", conflict.CurrentEtag);
        Assert.Contains("version conflict", conflict.Message, StringComparison.Ordinal);
        Assert.Equal("1", second.ETag);

        var stored = await ReadAsync(storage, grainId);
        Assert.Equal(10, stored.State!.Count);
        Assert.Equal("2", stored.ETag);
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_writer_that_saw_no_record_cannot_overwrite_one(Backend backend)
    {
        await using var store = await TestStore.CreateAsync(backend);
        var storage = await store.StartProviderAsync();
        var grainId = TestStore.NewGrainId();
        await storage.WriteStateAsync(StateName, grainId, new GrainState<CounterState>(new CounterState { Count = 1 }));

        var blind = new GrainState<CounterState>(new CounterState { Count = 2 });
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grainId, blind));
        Assert.Equal("1", conflict.StoredEtag);
        Assert.Equal(1, (await ReadAsync(storage, grainId)).State!.Count);
    }

    [Theory, SqliteData, PostgresData]
    public async Task An_etag_not_issued_by_the_storage_is_refused(Backend backend)
    {
        await using var store = await TestStore.CreateAsync(backend);
        var storage = await store.StartProviderAsync();
        var grainId = TestStore.NewGrainId();

        var state = new GrainState<CounterState>(new CounterState(), "W/\"abc\"");
        var error = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grainId, state));
        Assert.Contains("was not issued by this storage", error.Message, StringComparison.Ordinal);
        Assert.False((await ReadAsync(storage, grainId)).RecordExists);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Clear_keeps_a_tombstone_so_writers_from_before_the_clear_are_refused(Backend backend)
    {
        await using var store = await TestStore.CreateAsync(backend);
        var storage = await store.StartProviderAsync();
        var grainId = TestStore.NewGrainId();
        var state = new GrainState<CounterState>(new CounterState { Count = 5 });
        await storage.WriteStateAsync(StateName, grainId, state);
        var staleCopy = await ReadAsync(storage, grainId);

        await storage.ClearStateAsync(StateName, grainId, state);
        Assert.False(state.RecordExists);
        Assert.Equal("2", state.ETag);
        Assert.Equal(0, state.State!.Count);

        var read = await ReadAsync(storage, grainId);
        Assert.False(read.RecordExists);
        Assert.Equal("2", read.ETag);
        Assert.Equal(0, read.State!.Count);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grainId, staleCopy));

        read.State!.Count = 7;
        await storage.WriteStateAsync(StateName, grainId, read);
        Assert.Equal("3", read.ETag);
        var after = await ReadAsync(storage, grainId);
        Assert.True(after.RecordExists);
        Assert.Equal(7, after.State!.Count);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Clear_with_delete_on_clear_removes_the_row(Backend backend)
    {
        await using var store = await TestStore.CreateAsync(backend, o => o.DeleteStateOnClear = true);
        var storage = await store.StartProviderAsync();
        var grainId = TestStore.NewGrainId();
        var state = new GrainState<CounterState>(new CounterState { Count = 5 });
        await storage.WriteStateAsync(StateName, grainId, state);

        await storage.ClearStateAsync(StateName, grainId, state);
        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Equal(0, await store.CountAsync("SELECT COUNT(*) FROM grain_state"));

        var read = await ReadAsync(storage, grainId);
        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
        await storage.WriteStateAsync(StateName, grainId, read);
        Assert.Equal("1", read.ETag);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Clear_with_a_stale_etag_is_refused_and_changes_nothing(Backend backend)
    {
        await using var store = await TestStore.CreateAsync(backend);
        var storage = await store.StartProviderAsync();
        var grainId = TestStore.NewGrainId();
        var state = new GrainState<CounterState>(new CounterState { Count = 5 });
        await storage.WriteStateAsync(StateName, grainId, state);
        var stale = await ReadAsync(storage, grainId);
        state.State!.Count = 6;
        await storage.WriteStateAsync(StateName, grainId, state);

        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, grainId, stale));
        var blind = new GrainState<CounterState>(new CounterState());
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(StateName, grainId, blind));

        var read = await ReadAsync(storage, grainId);
        Assert.True(read.RecordExists);
        Assert.Equal(6, read.State!.Count);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Clear_of_a_record_that_never_existed_is_a_no_op(Backend backend)
    {
        await using var store = await TestStore.CreateAsync(backend);
        var storage = await store.StartProviderAsync();
        var state = new GrainState<CounterState>(new CounterState());

        await storage.ClearStateAsync(StateName, TestStore.NewGrainId(), state);

        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);
        Assert.Equal(0, await store.CountAsync("SELECT COUNT(*) FROM grain_state"));
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_new_provider_over_the_same_database_reads_what_the_previous_one_wrote(Backend backend)
    {
        await using var store = await TestStore.CreateAsync(backend);
        var grainId = TestStore.NewGrainId();

        var before = store.NewProvider();
        await before.InitializeAsync();
        var state = new GrainState<CounterState>(new CounterState { Count = 41, Items = ["kept"] });
        await before.WriteStateAsync(StateName, grainId, state);
        state.State!.Count = 42;
        await before.WriteStateAsync(StateName, grainId, state);
        await before.DisposeAsync();

        var after = store.NewProvider();
        await after.InitializeAsync();
        var read = await ReadAsync(after, grainId);
        Assert.True(read.RecordExists);
        Assert.Equal("2", read.ETag);
        Assert.Equal(42, read.State!.Count);
        Assert.Equal(["kept"], read.State!.Items);

        read.State!.Count = 43;
        await after.WriteStateAsync(StateName, grainId, read);
        Assert.Equal("3", read.ETag);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Concurrent_read_modify_write_loops_lose_no_increment(Backend backend)
    {
        const int writers = 6;
        const int incrementsEach = 15;
        await using var store = await TestStore.CreateAsync(backend);
        var grainId = TestStore.NewGrainId();
        // Two provider instances over one database, as two silos (PostgreSQL) or a restarted silo (SQLite) would be.
        var providers = new[] { await store.StartProviderAsync(), await store.StartProviderAsync() };
        var conflicts = 0;

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var storage = providers[w % providers.Length];
            for (var done = 0; done < incrementsEach;)
            {
                var state = await ReadAsync(storage, grainId);
                state.State!.Count++;
                state.State!.Items.Add($"w{w}");
                try
                {
                    await storage.WriteStateAsync(StateName, grainId, state);
                    done++;
                }
                catch (InconsistentStateException)
                {
                    Interlocked.Increment(ref conflicts);
                }
            }
        })));

        var final = await ReadAsync(providers[0], grainId);
        Assert.Equal(writers * incrementsEach, final.State!.Count);
        Assert.Equal(writers * incrementsEach, final.State!.Items.Count);
        Assert.Equal((writers * incrementsEach).ToString(System.Globalization.CultureInfo.InvariantCulture), final.ETag);
    }

    [Theory, SqliteData, PostgresData]
    public async Task Of_concurrent_writers_holding_the_same_etag_exactly_one_wins(Backend backend)
    {
        const int writers = 8;
        await using var store = await TestStore.CreateAsync(backend);
        var grainId = TestStore.NewGrainId();
        var providers = new[] { await store.StartProviderAsync(), await store.StartProviderAsync() };
        await providers[0].WriteStateAsync(StateName, grainId, new GrainState<CounterState>(new CounterState()));

        var outcomes = await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var state = new GrainState<CounterState>(new CounterState { Count = w }, "1");
            try
            {
                await providers[w % providers.Length].WriteStateAsync(StateName, grainId, state);
                return (Won: true, Value: w);
            }
            catch (InconsistentStateException)
            {
                return (Won: false, Value: w);
            }
        })));

        var winner = Assert.Single(outcomes, o => o.Won);
        var read = await ReadAsync(providers[1], grainId);
        Assert.Equal(winner.Value, read.State!.Count);
        Assert.Equal("2", read.ETag);
    }

    [Theory, SqliteData, PostgresData]
    public async Task State_is_stored_under_the_grain_type_alias_and_read_back_by_any_class_of_the_same_shape(Backend backend)
    {
        await using var store = await TestStore.CreateAsync(backend);
        var storage = await store.StartProviderAsync();
        var grainId = TestStore.NewGrainId("authz-tenant");
        await storage.WriteStateAsync(StateName, grainId, new GrainState<CounterState>(new CounterState
        {
            Count = 8,
            Items = ["x"],
            Tags = new() { ["k"] = "v" },
            Mode = CounterMode.Counting,
            Note = "n",
        }));

        Assert.Equal("authz-tenant", await store.ScalarAsync("SELECT grain_type FROM grain_state"));
        Assert.Equal(grainId.Key.ToString(), await store.ScalarAsync("SELECT grain_key FROM grain_state"));
        Assert.Equal(1L, Convert.ToInt64(await store.ScalarAsync("SELECT format_version FROM grain_state"), System.Globalization.CultureInfo.InvariantCulture));
        var payload = (string)(await store.ScalarAsync(backend == Backend.Sqlite ? "SELECT payload FROM grain_state" : "SELECT payload::text FROM grain_state"))!;
        Assert.DoesNotContain(nameof(CounterState), payload, StringComparison.Ordinal);
        Assert.DoesNotContain("Authz.Storage.Tests", payload, StringComparison.Ordinal);

        var renamed = new GrainState<RenamedCounterState>();
        await storage.ReadStateAsync(StateName, grainId, renamed);
        Assert.True(renamed.RecordExists);
        Assert.Equal(8, renamed.State!.Count);
        Assert.Equal(["x"], renamed.State!.Items);
        Assert.Equal("v", renamed.State!.Tags["k"]);
        Assert.Equal(CounterMode.Counting, renamed.State!.Mode);
        Assert.Equal("n", renamed.State!.Note);
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_payload_in_an_unknown_format_fails_with_a_clear_error(Backend backend)
    {
        await using var store = await TestStore.CreateAsync(backend);
        var storage = await store.StartProviderAsync();
        var grainId = TestStore.NewGrainId();
        await storage.WriteStateAsync(StateName, grainId, new GrainState<CounterState>(new CounterState { Count = 1 }));
        await store.ExecuteAsync("UPDATE grain_state SET format_version = 2");

        var error = await Assert.ThrowsAsync<GrainStateFormatException>(() => storage.ReadStateAsync(StateName, grainId, new GrainState<CounterState>()));
        Assert.Contains("payload format 2", error.Message, StringComparison.Ordinal);
    }

    [Theory, SqliteData, PostgresData]
    public async Task A_payload_that_does_not_fit_the_state_type_fails_with_a_clear_error(Backend backend)
    {
        await using var store = await TestStore.CreateAsync(backend);
        var storage = await store.StartProviderAsync();
        var grainId = TestStore.NewGrainId();
        await storage.WriteStateAsync(StateName, grainId, new GrainState<CounterState>(new CounterState { Count = 1 }));
        await store.ExecuteAsync(backend == Backend.Sqlite
            ? "UPDATE grain_state SET payload = '{\"count\":\"many\"}'"
            : "UPDATE grain_state SET payload = '{\"count\":\"many\"}'::jsonb");

        var error = await Assert.ThrowsAsync<GrainStateFormatException>(() => storage.ReadStateAsync(StateName, grainId, new GrainState<CounterState>()));
        Assert.Contains("does not deserialize as `CounterState`", error.Message, StringComparison.Ordinal);
    }

    internal static async Task<GrainState<CounterState>> ReadAsync(IGrainStorage storage, Orleans.Runtime.GrainId grainId, string stateName = StateName)
    {
        var state = new GrainState<CounterState>(new CounterState());
        await storage.ReadStateAsync(stateName, grainId, state);
        return state;
    }
}
