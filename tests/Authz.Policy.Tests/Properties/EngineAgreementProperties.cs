using System.Text.Json;
using Authz.Policy.Evaluation;
using Authz.Policy.Simulation;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Authz.Policy.Tests.Properties;

/// <summary>What the engine answered for one case line.</summary>
/// <param name="Traced">The decision of <see cref="PolicyEvaluator.EvaluateWithResult"/> (what <c>authz simulate</c> prints).</param>
/// <param name="Fast">The decision of the allocation-free hot path, <see cref="PolicyEvaluator.Evaluate"/> without a trace.</param>
/// <param name="Result">The traced result, with the determining statements.</param>
/// <param name="Error">Why the case could not be evaluated, or null.</param>
public sealed record EngineAnswer(Decision? Traced, Decision? Fast, EvaluationResult? Result, string? Error)
{
    /// <summary>Reads, compiles and evaluates a case line exactly as <see cref="Simulator.Run(string, bool)"/> does, through both evaluation paths.</summary>
    public static EngineAnswer For(string line)
    {
        using var json = JsonDocument.Parse(line);
        Simulator.CaseInput input;
        try
        {
            input = Simulator.ReadCase(json.RootElement);
        }
        catch (CaseException ex)
        {
            return new(null, null, null, ex.Message);
        }
        var result = PolicyEvaluator.EvaluateWithResult(input.Request, input.Principal, input.Resource, input.Session);
        var fast = PolicyEvaluator.Evaluate(input.Request, input.Principal, input.Resource, input.Session);
        return new(result.Decision, fast, result, null);
    }

    /// <summary>The determining statements as <c>policy#index</c>, sorted.</summary>
    public IEnumerable<string> Determining =>
        Result is null ? [] : Result.Determining.Select(d => $"{d.PolicyId}#{d.StatementIndex}").Order(StringComparer.Ordinal);

    public override string ToString() =>
        Error is not null ? "error: " + Error : Traced == Fast ? $"{Traced}" : $"{Traced} (traced) but {Fast} (hot path)";
}

/// <summary>
/// The engine (parse, compile, action index, compiled matchers and <see cref="PolicyEvaluator"/>, through the
/// simulator's case reader) must decide every generated case exactly as the plain <see cref="ReferenceEvaluator"/>.
/// </summary>
public sealed class EngineAgreementProperties
{
    /// <summary>Cases per run. A failure is shrunk to a minimal case and printed as a replayable JSON line.</summary>
    public const int Cases = 10_000;

    [Property(MaxTest = Cases, Arbitrary = [typeof(SimulationCaseArbitrary)])]
    public Property Simulator_decides_as_the_reference_evaluator(SimulationCase c)
    {
        var line = c.ToJsonLine();
        var engine = EngineAnswer.For(line);
        var reference = ReferenceEvaluator.Decide(c);
        var agree = engine.Error is null && engine.Traced == reference.Decision && engine.Fast == reference.Decision;
        return agree
            .Label(Describe("the engine and the reference evaluator disagree on the decision", engine.ToString(), reference.ToString(), line))
            .Classify(reference.Decision == Decision.Allow, "Allow")
            .Classify(reference.Decision == Decision.ExplicitDeny, "ExplicitDeny")
            .Classify(reference.Decision == Decision.ImplicitDeny, "ImplicitDeny");
    }

    [Property(MaxTest = 3_000, Arbitrary = [typeof(SimulationCaseArbitrary)])]
    public Property Determining_statements_are_those_the_reference_finds(SimulationCase c)
    {
        var line = c.ToJsonLine();
        var engine = EngineAnswer.For(line);
        var reference = ReferenceEvaluator.Decide(c);
        var expected = reference.Determining.Order(StringComparer.Ordinal).ToArray();
        var actual = engine.Determining.ToArray();
        return (engine.Error is null && engine.Traced == reference.Decision && expected.SequenceEqual(actual))
            .Label(Describe("the engine and the reference evaluator disagree on the determining statements",
                $"{engine} [{string.Join(", ", actual)}]", $"{reference} [{string.Join(", ", expected)}]", line));
    }

    /// <summary>The message FsCheck prints for the (shrunk) counterexample.</summary>
    private static string Describe(string what, string engine, string reference, string line) =>
        $"{what}\n  engine:    {engine}\n  reference: {reference}\n  case (replay with `authz simulate --cases -`):\n{line}\n";
}
