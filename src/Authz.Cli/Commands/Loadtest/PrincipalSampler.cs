namespace Authz.Cli.Commands.Loadtest;

/// <summary>How traffic is spread over the principals of the population.</summary>
public enum TrafficDistribution
{
    /// <summary>Every principal equally often.</summary>
    Uniform,
    /// <summary>Zipf: the principal of rank k (1-based) is drawn with probability proportional to 1 / k^s.</summary>
    Zipf,
    /// <summary>One principal gets every request.</summary>
    Hot,
}

/// <summary>
/// Draws principal indexes in [0, count) according to a <see cref="TrafficDistribution"/>. Rank k of the Zipf
/// distribution is principal index k - 1, and the hot principal is index 0, so the most requested principals are the
/// first ones of the population. Not thread-safe: each worker passes its own <see cref="Random"/>.
/// </summary>
public sealed class PrincipalSampler
{
    private readonly double[]? _cumulative;

    /// <summary>Creates a sampler over <paramref name="count"/> principals.</summary>
    public PrincipalSampler(TrafficDistribution distribution, int count, double zipfExponent = 1.1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (distribution == TrafficDistribution.Zipf && !(zipfExponent > 0 && double.IsFinite(zipfExponent)))
            throw new ArgumentOutOfRangeException(nameof(zipfExponent), "the Zipf exponent must be a positive number");
        Distribution = distribution;
        Count = count;
        ZipfExponent = zipfExponent;
        if (distribution == TrafficDistribution.Zipf)
            _cumulative = ZipfCumulative(count, zipfExponent);
    }

    /// <summary>The distribution.</summary>
    public TrafficDistribution Distribution { get; }

    /// <summary>The number of principals.</summary>
    public int Count { get; }

    /// <summary>The Zipf exponent s (only used by <see cref="TrafficDistribution.Zipf"/>).</summary>
    public double ZipfExponent { get; }

    /// <summary>Draws one principal index.</summary>
    public int Next(Random random) => Distribution switch
    {
        TrafficDistribution.Hot => 0,
        TrafficDistribution.Uniform => random.Next(Count),
        _ => SampleCumulative(_cumulative!, random.NextDouble()),
    };

    /// <summary>The probability that <see cref="Next"/> returns <paramref name="index"/>.</summary>
    public double Probability(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Distribution switch
        {
            TrafficDistribution.Hot => index == 0 ? 1.0 : 0.0,
            TrafficDistribution.Uniform => 1.0 / Count,
            _ => _cumulative![index] - (index == 0 ? 0.0 : _cumulative[index - 1]),
        };
    }

    private static double[] ZipfCumulative(int count, double s)
    {
        var cumulative = new double[count];
        var sum = 0.0;
        for (var k = 0; k < count; k++)
        {
            sum += 1.0 / Math.Pow(k + 1, s);
            cumulative[k] = sum;
        }
        for (var k = 0; k < count; k++)
            cumulative[k] /= sum;
        cumulative[^1] = 1.0;
        return cumulative;
    }

    /// <summary>The first index whose cumulative probability exceeds <paramref name="u"/> (u in [0, 1)).</summary>
    private static int SampleCumulative(double[] cumulative, double u)
    {
        var index = Array.BinarySearch(cumulative, u);
        // An exact hit belongs to the next bucket (the interval of k is [cumulative[k-1], cumulative[k])).
        index = index >= 0 ? index + 1 : ~index;
        return Math.Min(index, cumulative.Length - 1);
    }
}
