using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Authz.Population;
using Authz.V1;
using Google.Protobuf;

namespace Authz.Cli.Commands.Loadtest;

/// <summary>The share of each expected outcome in the traffic, in percent.</summary>
public sealed record RequestMix(int Allow, int ExplicitDeny, int ImplicitDeny)
{
    /// <summary>The default: mostly allowed, as in production, with enough denies to exercise every path.</summary>
    public static RequestMix Default { get; } = new(70, 15, 15);

    /// <summary>Parses <c>allow,explicit-deny,implicit-deny</c> percentages that add up to 100, such as <c>70,15,15</c>.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out RequestMix? mix, [NotNullWhen(false)] out string? error)
    {
        mix = null;
        var parts = (text ?? string.Empty).Split(',', StringSplitOptions.TrimEntries);
        var values = new int[3];
        if (parts.Length != 3 || !parts.Select((p, i) => int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out values[i])).All(ok => ok))
        {
            error = $"invalid mix `{text}`: expected three percentages `allow,explicit-deny,implicit-deny` such as `70,15,15`";
            return false;
        }
        if (values.Sum() != 100)
        {
            error = $"invalid mix `{text}`: the percentages add up to {values.Sum()}, not 100";
            return false;
        }
        mix = new RequestMix(values[0], values[1], values[2]);
        error = null;
        return true;
    }

    /// <summary>Draws an expected outcome with these weights.</summary>
    public Decision Next(Random random)
    {
        var roll = random.Next(100);
        return roll < Allow ? Decision.Allow : roll < Allow + ExplicitDeny ? Decision.ExplicitDeny : Decision.ImplicitDeny;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Allow},{ExplicitDeny},{ImplicitDeny}");
}

/// <summary>
/// The traffic: which principal (by the distribution), which outcome (by the mix), and one of that principal's checks
/// with that outcome. Requests are built and encoded once per principal and reused, so the generator spends little per
/// call. Thread-safe; each caller passes its own <see cref="Random"/>.
/// </summary>
public sealed class Workload
{
    private readonly MlPlatformPopulation _population;
    private readonly PrincipalSampler _sampler;
    private readonly RequestMix _mix;
    private readonly PrincipalChecks?[] _checks;

    /// <summary>Creates the workload over a population.</summary>
    public Workload(MlPlatformPopulation population, PrincipalSampler sampler, RequestMix mix)
    {
        ArgumentNullException.ThrowIfNull(population);
        ArgumentNullException.ThrowIfNull(sampler);
        if (sampler.Count != population.PrincipalCount)
            throw new ArgumentException("the sampler must cover the population's principals", nameof(sampler));
        _population = population;
        _sampler = sampler;
        _mix = mix;
        _checks = new PrincipalChecks?[population.PrincipalCount];
    }

    /// <summary>The population the checks come from.</summary>
    public MlPlatformPopulation Population => _population;

    /// <summary>Draws one check.</summary>
    public WorkloadCheck Next(Random random)
    {
        var checks = ChecksOf(_sampler.Next(random));
        var group = _mix.Next(random) switch
        {
            Decision.Allow => checks.Allow,
            Decision.ExplicitDeny => checks.ExplicitDeny,
            _ => checks.ImplicitDeny,
        };
        return group[random.Next(group.Length)];
    }

    /// <summary>Draws a batch of <paramref name="size"/> independent checks.</summary>
    public WorkloadCheck[] NextBatch(Random random, int size)
    {
        var batch = new WorkloadCheck[size];
        for (var i = 0; i < size; i++)
            batch[i] = Next(random);
        return batch;
    }

    /// <summary>The checks of one principal, by outcome; built on first use.</summary>
    private PrincipalChecks ChecksOf(int index)
    {
        var existing = Volatile.Read(ref _checks[index]);
        if (existing is not null)
            return existing;
        var all = _population.Checks(_population.Principal(index)).Select(c => new WorkloadCheck(c)).ToList();
        var built = new PrincipalChecks(
            [.. all.Where(c => c.Expected == Decision.Allow)],
            [.. all.Where(c => c.Expected == Decision.ExplicitDeny)],
            [.. all.Where(c => c.Expected == Decision.ImplicitDeny)]);
        return Interlocked.CompareExchange(ref _checks[index], built, null) ?? built;
    }

    private sealed record PrincipalChecks(WorkloadCheck[] Allow, WorkloadCheck[] ExplicitDeny, WorkloadCheck[] ImplicitDeny);
}

/// <summary>A check of the workload with its request encoded once, as <see cref="WireCalls"/> sends it.</summary>
public sealed class WorkloadCheck(PopulationCheck check)
{
    public PopulationCheck Check { get; } = check;

    /// <summary>The encoded <c>AuthorizeRequest</c>.</summary>
    public byte[] Encoded { get; } = check.Request.ToByteArray();

    public Decision Expected => Check.Expected;
}
