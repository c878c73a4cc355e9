using Authz.Cli.Commands.Loadtest;

namespace Authz.Cli.Tests;

public sealed class PrincipalSamplerTests
{
    private const int Draws = 1_000_000;

    private static long[] Frequencies(PrincipalSampler sampler, int seed = 42)
    {
        var random = new Random(seed);
        var counts = new long[sampler.Count];
        for (var i = 0; i < Draws; i++)
            counts[sampler.Next(random)]++;
        return counts;
    }

    [Fact]
    public void Hot_sends_everything_to_principal_zero()
    {
        var counts = Frequencies(new PrincipalSampler(TrafficDistribution.Hot, 10_000));
        Assert.Equal(Draws, counts[0]);
        Assert.Equal(Draws, counts.Sum());
        Assert.Equal(1.0, new PrincipalSampler(TrafficDistribution.Hot, 10).Probability(0));
    }

    [Fact]
    public void Uniform_covers_every_principal_evenly()
    {
        var counts = Frequencies(new PrincipalSampler(TrafficDistribution.Uniform, 100));
        // 10,000 expected per principal; a binomial standard deviation is about 100, so 5% is 5 sigma.
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
    }

    [Theory]
    [InlineData(1.1, 1_000)]
    [InlineData(0.8, 10_000)]
    [InlineData(2.0, 100)]
    public void Zipf_frequencies_match_one_over_k_to_the_s(double s, int count)
    {
        var sampler = new PrincipalSampler(TrafficDistribution.Zipf, count, s);
        var harmonic = Enumerable.Range(1, count).Sum(k => 1.0 / Math.Pow(k, s));
        for (var k = 1; k <= count; k++)
            Assert.Equal(1.0 / Math.Pow(k, s) / harmonic, sampler.Probability(k - 1), 9);

        var counts = Frequencies(sampler);
        // The ten most frequent ranks, each within five binomial standard deviations of its expected count.
        for (var k = 1; k <= 10; k++)
        {
            var p = sampler.Probability(k - 1);
            var expected = Draws * p;
            var tolerance = 5 * Math.Sqrt(Draws * p * (1 - p));
            Assert.InRange(counts[k - 1], expected - tolerance, expected + tolerance);
        }
        // Frequencies fall with the rank: rank 1 is drawn about 2^s times as often as rank 2.
        Assert.InRange((double)counts[0] / counts[1], Math.Pow(2, s) * 0.95, Math.Pow(2, s) * 1.05);
        Assert.Equal(Draws, counts.Sum());
    }

    [Fact]
    public void Zipf_probabilities_add_up_to_one()
    {
        var sampler = new PrincipalSampler(TrafficDistribution.Zipf, 5_000, 1.1);
        Assert.Equal(1.0, Enumerable.Range(0, 5_000).Sum(sampler.Probability), 9);
    }

    [Fact]
    public void Same_seed_gives_the_same_traffic()
    {
        var sampler = new PrincipalSampler(TrafficDistribution.Zipf, 1_000, 1.1);
        var a = new Random(7);
        var b = new Random(7);
        for (var i = 0; i < 1_000; i++)
            Assert.Equal(sampler.Next(a), sampler.Next(b));
    }

    [Fact]
    public void Rejects_a_bad_exponent()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PrincipalSampler(TrafficDistribution.Zipf, 10, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PrincipalSampler(TrafficDistribution.Zipf, 10, double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PrincipalSampler(TrafficDistribution.Uniform, 0));
    }
}
