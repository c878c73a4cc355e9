using System.Diagnostics;
using Authz.Grains;
using Authz.Grains.Decisions;
using Authz.Policy.Compilation;
using Authz.Policy.Evaluation;
using Authz.Policy.Parsing;
using Authz.Server.Hosting;
using Authz.Server.Journal;
using Authz.V1;
using Google.Protobuf.Collections;
using Grpc.Core;
using Microsoft.Extensions.Options;
using EngineDecision = Authz.Policy.Evaluation.Decision;
using EnginePolicyType = Authz.Policy.Model.PolicyType;
using GrpcStatusCode = Grpc.Core.StatusCode;
using ProtoDecision = Authz.V1.Decision;
using ProtoPolicyType = Authz.V1.PolicyType;

namespace Authz.Server.Services;

/// <summary>
/// The decision API. Thin: it shape-checks, lets <see cref="DecisionService"/> load immutable snapshots from the
/// silo-local cache, evaluates on the calling thread, and maps the engine's answer. It fails closed: input errors are
/// INVALID_ARGUMENT, anything that stops a check from being evaluated is UNAVAILABLE or DEADLINE_EXCEEDED, never ALLOW.
/// </summary>
[BehindAdmission]
public sealed partial class AuthorizationService(DecisionService decisions, IOptions<AuthzLimitsOptions> options,
    DecisionJournal journal, ILogger<AuthorizationService> logger) : Authorization.AuthorizationBase
{
    [ThreadStatic] private static EvaluationTrace? t_trace;

    private readonly SharedAnswers _answers = new(Reference);

    public override Task<AuthorizeResponse> Authorize(AuthorizeRequest request, ServerCallContext context)
    {
        var started = Stopwatch.GetTimestamp();
        // Prepared synchronously when the snapshots are cached: then the answer needs no async step.
        var prepared = PrepareAsync(request, batchIndex: -1, context.CancellationToken);
        return prepared.IsCompletedSuccessfully
            ? Completed(Answer(prepared.Result, request, context, started, out var shared), shared)
            : AnswerAsync(prepared, request, context, started);
    }

    private async Task<AuthorizeResponse> AnswerAsync(ValueTask<PreparedCheck> prepared, AuthorizeRequest request, ServerCallContext context, long started) =>
        Answer(await prepared, request, context, started, out _);

    private static Task<AuthorizeResponse> Completed(AuthorizeResponse response, Task<AuthorizeResponse>? shared) =>
        shared ?? Task.FromResult(response);

    public override async Task<BatchAuthorizeResponse> BatchAuthorize(BatchAuthorizeRequest request, ServerCallContext context)
    {
        if (request.Checks.Count == 0 || request.Checks.Count > options.Value.MaxBatchSize)
        {
            AdminErrors.ThrowInvalid("checks", $"a batch holds 1 to {options.Value.MaxBatchSize} checks, not {request.Checks.Count}");
        }

        var response = new BatchAuthorizeResponse();
        var prepared = new ValueTask<PreparedCheck>[request.Checks.Count];
        var started = Stopwatch.GetTimestamp();
        // Start every load before awaiting any, so cache misses of one batch load in parallel.
        for (var i = 0; i < prepared.Length; i++)
        {
            prepared[i] = PrepareAsync(request.Checks[i], i, context.CancellationToken);
        }

        for (var i = 0; i < prepared.Length; i++)
        {
            response.Results.Add(Answer(await prepared[i], request.Checks[i], context, started, out _));
        }

        return response;
    }

    public override async Task<SimulatePrincipalPolicyResponse> SimulatePrincipalPolicy(SimulatePrincipalPolicyRequest request, ServerCallContext context)
    {
        CheckSimulationShape(request.ActionNames, request.ResourceArns);
        var extra = CompileInputs(request.PolicyInputList, EnginePolicyType.Identity, "policy_input_list");
        var boundaries = CompileInputs(request.PermissionsBoundaryPolicyInputList, EnginePolicyType.PermissionsBoundary, "permissions_boundary_policy_input_list");
        var resourcePolicy = request.ResourcePolicy.Length > 0 ? CompileInput(request.ResourcePolicy, EnginePolicyType.Resource, "resource_policy", 0) : null;

        var principalArn = request.PolicySourceArn;
        var tenantId = NullIfEmpty(request.TenantId) ?? NullIfEmpty(request.ResourceOwner);
        // Shared by every pair: the decision path keeps the caller's array as it is, never changing it.
        var callerContext = ContextValues.ToPairs(request.Context);
        var response = new SimulatePrincipalPolicyResponse();
        foreach (var action in request.ActionNames)
        {
            foreach (var resource in Resources(request.ResourceArns))
            {
                var input = new CheckInput(tenantId, principalArn, action, resource, callerContext, request.MinRevision);
                var prepared = await PrepareOrThrowAsync(input, batchIndex: -1, context.CancellationToken);
                response.Revision = Math.Max(response.Revision, prepared.Revision);
                if (prepared.Request is null)
                {
                    response.EvaluationResults.Add(new V1.EvaluationResult { ActionName = action, ResourceArn = resource, Decision = ProtoDecision.ImplicitDeny, Reason = prepared.Reason ?? "" });
                    continue;
                }

                var principalSet = prepared.Principal?.Policies;
                if (principalSet is not null && (extra.Length > 0 || boundaries.Length > 0))
                {
                    principalSet = new PrincipalPolicySet(principalSet.Identity.AddRange(extra),
                        boundaries.Length > 0 ? boundaries : principalSet.Boundaries, principalSet.Guardrails, principalSet.Revision);
                }

                var resourceSet = resourcePolicy is not null ? new ResourcePolicySet(resourcePolicy) : prepared.Resource?.Policies;
                response.EvaluationResults.Add(Simulate(prepared.Request, principalSet, resourceSet, action, resource, prepared));
            }
        }

        return response;
    }

    public override Task<SimulateCustomPolicyResponse> SimulateCustomPolicy(SimulateCustomPolicyRequest request, ServerCallContext context)
    {
        CheckSimulationShape(request.ActionNames, request.ResourceArns);
        if (request.PolicyInputList.Count == 0)
        {
            AdminErrors.ThrowInvalid("policy_input_list", "at least one identity policy document is required");
        }

        var identity = CompileInputs(request.PolicyInputList, EnginePolicyType.Identity, "policy_input_list");
        var boundaries = CompileInputs(request.PermissionsBoundaryPolicyInputList, EnginePolicyType.PermissionsBoundary, "permissions_boundary_policy_input_list");
        var guardrails = CompileInputs(request.GuardrailPolicyInputList, EnginePolicyType.Guardrail, "guardrail_policy_input_list");
        var resourcePolicy = request.ResourcePolicy.Length > 0 ? CompileInput(request.ResourcePolicy, EnginePolicyType.Resource, "resource_policy", 0) : null;
        var owner = NullIfEmpty(request.ResourceOwner);
        if (owner is not null && !Authz.Policy.Model.Arn.IsAccountId(owner))
        {
            AdminErrors.ThrowInvalid("resource_owner", $"invalid tenant id `{owner}`: expected 12 digits");
        }

        var caller = NullIfEmpty(request.CallerArn) ?? $"arn:aws:iam::{owner ?? "000000000000"}:user/simulated";
        var principalSet = new PrincipalPolicySet(identity, boundaries,
            guardrails.Length == 0 ? default : [.. guardrails.Select(g => System.Collections.Immutable.ImmutableArray.Create(g))]);
        var contextValues = Authz.Policy.Evaluation.RequestContext.Create(ContextValues.ToPairs(request.Context) ?? []);

        var response = new SimulateCustomPolicyResponse();
        foreach (var action in request.ActionNames)
        {
            foreach (var resource in Resources(request.ResourceArns))
            {
                if (!AuthorizationRequest.TryCreate(caller, action, resource, owner, contextValues, out var engineRequest, out var error))
                {
                    AdminErrors.ThrowInvalid(error.Contains("principal", StringComparison.Ordinal) ? "caller_arn" : error.Contains("action", StringComparison.Ordinal) ? "action_names" : "resource_arns", error);
                }

                response.EvaluationResults.Add(Simulate(engineRequest, principalSet, resourcePolicy is null ? null : new ResourcePolicySet(resourcePolicy), action, resource, prepared: null));
            }
        }

        return Task.FromResult(response);
    }

    /// <summary>Prepares one check; <paramref name="batchIndex"/> (-1 for none) names its field in an input error.</summary>
    private ValueTask<PreparedCheck> PrepareAsync(AuthorizeRequest request, int batchIndex, CancellationToken cancellationToken)
    {
        var input = new CheckInput(NullIfEmpty(request.TenantId), request.Principal, request.Action, request.Resource,
            request.ContextPairs(), request.MinRevision);
        return PrepareOrThrowAsync(input, batchIndex, cancellationToken);
    }

    private async ValueTask<PreparedCheck> PrepareOrThrowAsync(CheckInput input, int batchIndex, CancellationToken cancellationToken)
    {
        try
        {
            return await decisions.PrepareAsync(input, cancellationToken);
        }
        catch (CheckInputException ex)
        {
            AdminErrors.ThrowInvalid(batchIndex < 0 ? ex.Field : $"checks[{batchIndex}].{ex.Field}", ex.Message);
            throw; // unreachable
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            DecisionMetrics.Failures.Add(1);
            throw new RpcException(new Status(GrpcStatusCode.DeadlineExceeded, "the check could not be answered before its deadline"));
        }
        catch (TimeoutException ex)
        {
            DecisionMetrics.Failures.Add(1);
            throw new RpcException(new Status(GrpcStatusCode.DeadlineExceeded, ex.Message));
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            // Storage or a grain failed: the check cannot be evaluated, so it is not answered (never an allow).
            DecisionMetrics.Failures.Add(1);
            Log.CheckFailed(logger, ex, input.Principal, input.Action, input.Resource);
            throw new RpcException(new Status(GrpcStatusCode.Unavailable, "the check cannot be evaluated now; retry"));
        }
    }

    /// <summary>
    /// The answer to a prepared check. <paramref name="shared"/> is the completed task of an answer that
    /// <see cref="SharedAnswers"/> shares (a decision by one statement, without explanation), else null.
    /// </summary>
    private AuthorizeResponse Answer(PreparedCheck prepared, AuthorizeRequest request, ServerCallContext context, long started,
        out Task<AuthorizeResponse>? shared)
    {
        var explain = request.Explain;
        var trace = t_trace ??= new EvaluationTrace();
        trace.Reset();
        trace.Explain = explain;
        var decision = prepared.Evaluate(trace);
        var determining = trace.Determining(decision);
        AuthorizeResponse response;
        if (!explain && determining.Count == 1 && decision != EngineDecision.ImplicitDeny && prepared.Reason is null)
        {
            shared = _answers.Get(determining[0], ToProto(decision), prepared.Revision, Target(determining[0], prepared));
            response = shared.Result;
        }
        else
        {
            shared = null;
            response = new AuthorizeResponse
            {
                Decision = ToProto(decision),
                Revision = prepared.Revision,
                Reason = prepared.Reason ?? (decision == EngineDecision.ImplicitDeny ? trace.Reason ?? "" : ""),
            };
            for (var i = 0; i < determining.Count; i++)
            {
                response.Determining.Add(Reference(determining[i], prepared));
            }

            if (explain)
            {
                AddMismatches(response.ConditionMismatches, trace, prepared);
            }
        }

        DecisionMetrics.Count(prepared, decision);
        var latency = Stopwatch.GetElapsedTime(started);
        DecisionMetrics.Latency.Record(latency.TotalSeconds);
        journal.Record(context, request, response, prepared.TenantId, latency);
        return response;
    }

    private static V1.EvaluationResult Simulate(AuthorizationRequest request, PrincipalPolicySet? principal, ResourcePolicySet? resource,
        string action, string resourceArn, PreparedCheck? prepared)
    {
        var trace = new EvaluationTrace { Explain = true };
        var decision = PolicyEvaluator.Evaluate(request, principal, resource, session: null, trace);
        var result = new V1.EvaluationResult
        {
            ActionName = action,
            ResourceArn = resourceArn,
            Decision = ToProto(decision),
            Reason = decision == EngineDecision.ImplicitDeny ? trace.Reason ?? "" : "",
        };
        foreach (var statement in trace.Determining(decision))
        {
            result.MatchedStatements.Add(Reference(statement, prepared));
        }

        AddMismatches(result.ConditionMismatches, trace, prepared);
        foreach (var (statement, condition) in trace.ConditionFailures)
        {
            if (trace.DescribeFailure(statement, condition).KeyMissing && !result.MissingContextValues.Contains(condition.Key))
            {
                result.MissingContextValues.Add(condition.Key);
            }
        }

        return result;
    }

    private static void AddMismatches(RepeatedField<ConditionMismatch> target, EvaluationTrace trace, PreparedCheck? prepared)
    {
        foreach (var (statement, condition) in trace.ConditionFailures)
        {
            var failure = trace.DescribeFailure(statement, condition);
            target.Add(new ConditionMismatch
            {
                Statement = Reference(statement, prepared),
                IsDeny = statement.Effect == Authz.Policy.Model.Effect.Deny,
                FailedConditions = { new FailedCondition { Operator = failure.Operator, Key = failure.Key, Reason = failure.Reason } },
            });
        }
    }

    private static StatementReference Reference(CompiledStatement statement, PreparedCheck? prepared)
    {
        if (prepared is not null)
        {
            return Reference(statement, Target(statement, prepared));
        }

        // A simulation's own documents are named `input[i]`: the reference gives the index instead.
        var id = statement.Policy.Id;
        var reference = Reference(statement, new ReferenceTarget(id, ""));
        if (id.StartsWith("input[", StringComparison.Ordinal) && uint.TryParse(id.AsSpan(6, id.Length - 7), out var index))
        {
            reference.Policy = "";
            reference.InputIndex = index;
        }

        return reference;
    }

    private static StatementReference Reference(CompiledStatement statement, ReferenceTarget target) => new()
    {
        Policy = target.Policy,
        Version = statement.Policy.VersionId ?? "",
        StatementIndex = (uint)statement.Index,
        Sid = statement.Sid ?? "",
        PolicyType = ToProto(statement.Policy.Type),
        AttachedTo = target.AttachedTo,
    };

    /// <summary>The policy a stored statement belongs to (a resource policy by its holder's ARN) and what holds it.</summary>
    private static ReferenceTarget Target(CompiledStatement statement, PreparedCheck prepared)
    {
        var policy = statement.Policy;
        if (policy.Type == EnginePolicyType.Resource)
        {
            var holder = prepared.Resource?.PolicyHolderArn;
            return new(holder ?? policy.Id, holder ?? "");
        }

        if (prepared.Principal?.Origins.TryGetValue(policy, out var origin) == true)
        {
            var snapshot = prepared.Principal.Snapshot;
            return new(policy.Id, origin.Origin switch
            {
                DocumentOrigin.Inline => snapshot.Arn,
                DocumentOrigin.GroupInline => GrainKeys.GroupArn(snapshot.TenantId, "/", origin.OwnerName ?? ""),
                _ => "",
            });
        }

        return new(policy.Id, "");
    }

    private static System.Collections.Immutable.ImmutableArray<CompiledPolicy> CompileInputs(RepeatedField<string> documents, EnginePolicyType type, string field)
    {
        var builder = System.Collections.Immutable.ImmutableArray.CreateBuilder<CompiledPolicy>(documents.Count);
        for (var i = 0; i < documents.Count; i++)
        {
            builder.Add(CompileInput(documents[i], type, $"{field}[{i}]", i));
        }

        return builder.MoveToImmutable();
    }

    private static CompiledPolicy CompileInput(string document, EnginePolicyType type, string field, int index)
    {
        var result = PolicyCompiler.ParseAndCompile(document, type, $"input[{index}]", null, ParseOptions.StrictDefault with { MaxDocumentCharacters = 20_480 });
        if (result.Policy is null)
        {
            AdminErrors.ThrowInvalid(field, result.FirstError ?? "the document is not a valid policy");
        }

        return result.Policy;
    }

    private static void CheckSimulationShape(RepeatedField<string> actions, RepeatedField<string> resources)
    {
        if (actions.Count is 0 or > 100)
        {
            AdminErrors.ThrowInvalid("action_names", $"give 1 to 100 actions, not {actions.Count}");
        }

        if (resources.Count > 100 || actions.Count * Math.Max(1, resources.Count) > 1000)
        {
            AdminErrors.ThrowInvalid("resource_arns", "at most 100 resources and 1,000 action/resource pairs");
        }
    }

    private static IEnumerable<string> Resources(RepeatedField<string> resources) => resources.Count == 0 ? ["*"] : resources;

    private static string? NullIfEmpty(string value) => value.Length == 0 ? null : value;

    private static ProtoDecision ToProto(EngineDecision decision) => decision switch
    {
        EngineDecision.Allow => ProtoDecision.Allow,
        EngineDecision.ExplicitDeny => ProtoDecision.ExplicitDeny,
        _ => ProtoDecision.ImplicitDeny,
    };

    private static ProtoPolicyType ToProto(EnginePolicyType type) => type switch
    {
        EnginePolicyType.Identity => ProtoPolicyType.Identity,
        EnginePolicyType.Resource => ProtoPolicyType.Resource,
        EnginePolicyType.Trust => ProtoPolicyType.RoleTrust,
        EnginePolicyType.PermissionsBoundary => ProtoPolicyType.PermissionsBoundary,
        EnginePolicyType.Guardrail or EnginePolicyType.ResourceGuardrail => ProtoPolicyType.Guardrail,
        EnginePolicyType.Session => ProtoPolicyType.Session,
        _ => ProtoPolicyType.Unspecified,
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 3101, Level = LogLevel.Error, Message = "Check of {Principal} {Action} on {Resource} could not be evaluated")]
        public static partial void CheckFailed(ILogger logger, Exception exception, string principal, string action, string resource);
    }
}
