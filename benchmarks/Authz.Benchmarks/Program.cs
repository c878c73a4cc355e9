using Authz.Benchmarks;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

// `--cpu-time [filter]` is the thread-CPU-time cross-check for loaded machines (see CpuTimeCheck); everything else goes to
// BenchmarkDotNet (`--filter`, `--job`, `--list flat`, ...).
switch (args)
{
    case ["--cpu-time", .. var rest]:
        return CpuTimeCheck.Run(rest.FirstOrDefault() ?? "");
    case ["--cpu-time-one", var name]:
        return CpuTimeCheck.RunOne(name);
}

// BenchmarkDotNet builds a generated project before running anything; its 2-minute default is too short on a shared
// machine that is busy building other projects. `--buildTimeout` still overrides this.
var config = ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(TimeSpan.FromMinutes(10));
BenchmarkSwitcher.FromAssembly(typeof(Scenario).Assembly).Run(args, config);
return 0;
