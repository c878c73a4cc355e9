using BenchmarkDotNet.Attributes;
using Authz.Policy.Evaluation;

namespace Authz.Benchmarks;

/// <summary>
/// <see cref="PolicyEvaluator.Evaluate"/> on compiled snapshots, one scenario per method, with no trace (the
/// service's plain Authorize path). Everything a check needs is built in <see cref="Setup"/>, so each operation is one
/// decision and must allocate nothing.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class Evaluation
{
    private Scenario _single = null!;
    private Scenario _missesSameAction = null!;
    private Scenario _missesOtherActions = null!;
    private Scenario _denyFirst = null!;
    private Scenario _wildcards = null!;
    private Scenario _conditions = null!;
    private Scenario _thousand = null!;
    private ScenarioRequest _singleRequest = null!;
    private ScenarioRequest _missesSameActionRequest = null!;
    private ScenarioRequest _missesOtherActionsRequest = null!;
    private ScenarioRequest _denyFirstRequest = null!;
    private ScenarioRequest _wildcardsRequest = null!;
    private ScenarioRequest _conditionsRequest = null!;
    private ScenarioRequest _thousandRequest = null!;

    [GlobalSetup]
    public void Setup()
    {
        _single = Scenario.Load("single-statement.json").AssertDecisions();
        _missesSameAction = SyntheticScenarios.HundredMissesSameAction().AssertDecisions();
        _missesOtherActions = SyntheticScenarios.HundredMissesOtherActions().AssertDecisions();
        _denyFirst = Scenario.Load("deny-first.json").AssertDecisions();
        _wildcards = Scenario.Load("wildcard-heavy.json").AssertDecisions();
        _conditions = Scenario.Load("condition-heavy.json").AssertDecisions();
        _thousand = SyntheticScenarios.ThousandStatements().AssertDecisions();

        _singleRequest = _single["Allowed"];
        _missesSameActionRequest = _missesSameAction["Allow"];
        _missesOtherActionsRequest = _missesOtherActions["Allow"];
        _denyFirstRequest = _denyFirst["ExplicitDeny"];
        _wildcardsRequest = _wildcards["Allowed"];
        _conditionsRequest = _conditions["Allowed"];
        _thousandRequest = _thousand["Allow"];

        Console.WriteLine($"// 1,000 statements: {SyntheticScenarios.CandidateCount(_thousand, "s3:GetObject")} of {_thousand.StatementCount} statements cover s3:GetObject");
    }

    /// <summary>One Allow statement that matches: the floor of a decision.</summary>
    [Benchmark]
    public Decision SingleStatement() => Evaluate(_single, _singleRequest);

    /// <summary>100 candidates for the action that fail on their resource, then the match.</summary>
    [Benchmark]
    public Decision HundredMissesSameAction() => Evaluate(_missesSameAction, _missesSameActionRequest);

    /// <summary>100 statements on other actions (skipped by the action index), then the match.</summary>
    [Benchmark]
    public Decision HundredMissesOtherActions() => Evaluate(_missesOtherActions, _missesOtherActionsRequest);

    /// <summary>The first candidate is an applicable Deny; the evaluator stops there.</summary>
    [Benchmark]
    public Decision DenyFirst() => Evaluate(_denyFirst, _denyFirstRequest);

    /// <summary>30 glob-heavy statements, most of them candidates that fail on a resource glob.</summary>
    [Benchmark]
    public Decision WildcardHeavy() => Evaluate(_wildcards, _wildcardsRequest);

    /// <summary>10 statements with every condition operator family, IfExists and set qualifiers.</summary>
    [Benchmark]
    public Decision ConditionHeavy() => Evaluate(_conditions, _conditionsRequest);

    /// <summary>1,000 statements in one policy; about 50 are candidates for the action.</summary>
    [Benchmark]
    public Decision ThousandStatements() => Evaluate(_thousand, _thousandRequest);

    private static Decision Evaluate(Scenario scenario, ScenarioRequest request) =>
        PolicyEvaluator.Evaluate(request.Request, scenario.Principal, scenario.Resource);
}
