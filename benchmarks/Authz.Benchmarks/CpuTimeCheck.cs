using System.Diagnostics;
using System.Runtime.InteropServices;
using Authz.Policy.Evaluation;

namespace Authz.Benchmarks;

/// <summary>
/// <c>--cpu-time [filter]</c>: a cross-check for shared, loaded machines. BenchmarkDotNet times wall-clock, so when other
/// processes compete for the cores its figures include the time this thread spent waiting for one. This mode evaluates
/// the same scenarios and divides the thread's own CPU time (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>) by the operations.
/// Like BenchmarkDotNet, it runs each scenario in a process of its own, since the JIT's profile-guided code for the
/// shared evaluator depends on which scenario ran first. It reports the median and minimum of 2,000-operation batches
/// and is not a substitute for the BenchmarkDotNet table.
/// </summary>
public static class CpuTimeCheck
{
    private const int ThreadCpuClock = 3; // CLOCK_THREAD_CPUTIME_ID on Linux
    private const int Batch = 2_000;

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out Timespec time);

    private static long ThreadCpuNanoseconds()
    {
        ClockGetTime(ThreadCpuClock, out var t);
        return t.Seconds * 1_000_000_000 + t.Nanoseconds;
    }

    /// <summary>The scenarios, by the names BenchmarkDotNet gives the matching benchmarks.</summary>
    private static readonly (string Name, Func<Scenario> Load, string Request)[] Cases =
    [
        ("MlTrainingRole.NoTrace(Allowed)", () => Scenario.Load(Path.Combine("ml-training-role", "scenario.json")), "Allowed"),
        ("MlTrainingRole.NoTrace(ExplicitDeny)", () => Scenario.Load(Path.Combine("ml-training-role", "scenario.json")), "ExplicitDeny"),
        ("MlTrainingRole.NoTrace(ImplicitDeny)", () => Scenario.Load(Path.Combine("ml-training-role", "scenario.json")), "ImplicitDeny"),
        ("Evaluation.SingleStatement", () => Scenario.Load("single-statement.json"), "Allowed"),
        ("Evaluation.HundredMissesSameAction", SyntheticScenarios.HundredMissesSameAction, "Allow"),
        ("Evaluation.HundredMissesOtherActions", SyntheticScenarios.HundredMissesOtherActions, "Allow"),
        ("Evaluation.DenyFirst", () => Scenario.Load("deny-first.json"), "ExplicitDeny"),
        ("Evaluation.WildcardHeavy", () => Scenario.Load("wildcard-heavy.json"), "Allowed"),
        ("Evaluation.ConditionHeavy", () => Scenario.Load("condition-heavy.json"), "Allowed"),
        ("Evaluation.ThousandStatements", SyntheticScenarios.ThousandStatements, "Allow"),
    ];

    /// <summary>Runs every scenario whose name contains <paramref name="filter"/>, each in a child process.</summary>
    public static int Run(string filter)
    {
        if (!OperatingSystem.IsLinux())
        {
            Console.Error.WriteLine("--cpu-time reads the thread CPU clock through Linux clock_gettime; use the BenchmarkDotNet suites elsewhere");
            return 2;
        }
        Console.WriteLine($"{"scenario",-42} {"median",12} {"min",12} {"allocated",10}");
        foreach (var (name, _, _) in Cases)
        {
            if (!name.Contains(filter, StringComparison.OrdinalIgnoreCase))
                continue;
            using var child = Process.Start(new ProcessStartInfo(Environment.ProcessPath!, ["--cpu-time-one", name])
            {
                RedirectStandardOutput = true,
                WorkingDirectory = AppContext.BaseDirectory,
            })!;
            Console.Write(child.StandardOutput.ReadToEnd());
            child.WaitForExit();
            if (child.ExitCode != 0)
                return child.ExitCode;
        }
        return 0;
    }

    /// <summary>Times one scenario in this process: 2 s of warm-up (the tiered JIT is slow on a busy machine), then 3 s.</summary>
    public static int RunOne(string name)
    {
        var (_, load, requestName) = Cases.Single(c => c.Name == name);
        var scenario = load();
        var request = scenario[requestName];
        request.AssertDecision(scenario);
        var (req, principal, resource) = (request.Request, scenario.Principal, scenario.Resource);

        var warmUntil = Stopwatch.GetTimestamp() + 2 * Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < warmUntil)
            for (var i = 0; i < Batch; i++)
                PolicyEvaluator.Evaluate(req, principal, resource);

        var samples = new List<double>();
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var end = Stopwatch.GetTimestamp() + 3 * Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < end)
        {
            var start = ThreadCpuNanoseconds();
            for (var i = 0; i < Batch; i++)
                PolicyEvaluator.Evaluate(req, principal, resource);
            samples.Add((ThreadCpuNanoseconds() - start) / (double)Batch);
        }
        var allocated = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / ((double)samples.Count * Batch);
        samples.Sort();
        Console.WriteLine($"{name,-42} {samples[samples.Count / 2],9:N1} ns {samples[0],9:N1} ns {allocated,8:0.#} B");
        return 0;
    }
}
