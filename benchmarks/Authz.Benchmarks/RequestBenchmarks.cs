using BenchmarkDotNet.Attributes;
using Authz.Policy.Evaluation;

namespace Authz.Benchmarks;

/// <summary>
/// What a check pays before evaluation: building the <see cref="RequestContext"/> (12 keys, the ML role's allowed
/// request) and the <see cref="AuthorizationRequest"/> (parsing the principal ARN), as the simulator and the command
/// line do for each request. It is measured apart from the allocation-free evaluation. The service instead reuses parsed
/// principals and layers a few keys of each check over context built once per cached principal and resource.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class RequestConstruction
{
    private Scenario _scenario = null!;
    private KeyValuePair<string, string[]>[] _context = null!;
    private AuthorizationRequest _template = null!;

    [GlobalSetup]
    public void Setup()
    {
        _scenario = Scenario.Load(Path.Combine("ml-training-role", "scenario.json")).AssertDecisions();
        _template = _scenario["Allowed"].Request;
        _context = [.. _template.Context.Values];
        if (CreateAndEvaluate() != Decision.Allow)
            throw new InvalidOperationException("ml-training-role: a freshly built `Allowed` request was not allowed");
    }

    /// <summary><see cref="RequestContext.Create"/> plus <see cref="AuthorizationRequest.TryCreate"/>.</summary>
    [Benchmark(Baseline = true)]
    public AuthorizationRequest? Create()
    {
        var context = RequestContext.Create(_context);
        AuthorizationRequest.TryCreate(_template.Principal.Text, _template.Action, _template.Resource, _template.ResourceAccount,
            context, out var request, out _);
        return request;
    }

    /// <summary>Building the request, then the ML role's allowed decision.</summary>
    [Benchmark]
    public Decision CreateAndEvaluate() =>
        PolicyEvaluator.Evaluate(Create()!, _scenario.Principal, _scenario.Resource);
}
