using System.Collections.Immutable;
using System.Text.Json;
using Authz.Policy.Compilation;
using Authz.Policy.Evaluation;
using Authz.Policy.Model;
using Authz.Policy.Parsing;

namespace Authz.Policy.Simulation;

/// <summary>The outcome of one simulated case: a decision, or an error explaining why the case could not be evaluated.</summary>
public sealed record SimulationOutcome(JsonElement? Id, EvaluationResult? Result, string? Error)
{
    /// <summary>The decision, or null when the case had an error.</summary>
    public Decision? Decision => Result?.Decision;
}

/// <summary>
/// Offline evaluation of self-contained cases in the schema of the shared corpus (principal, action, resource,
/// context, identity policies, resource policy, boundaries, SCP and RCP levels, session policy).
/// </summary>
public static class Simulator
{
    private static readonly HashSet<string> KnownFields =
    [
        "id", "principal", "action", "resource", "resourceAccount", "context", "identityPolicies", "resourcePolicy",
        "permissionBoundaries", "scps", "rcps", "sessionPolicy",
        // Annotations carried by hand-checked case files; ignored.
        "expected", "why", "description",
    ];

    /// <summary>Documents in cases are not subject to the write-time size limit.</summary>
    public static ParseOptions CaseParseOptions { get; } = new() { Strict = true, MaxDocumentCharacters = null, MaxStatements = 1000 };

    /// <summary>Runs one case given as a JSON line. Never throws for bad input: the outcome carries the error.</summary>
    public static SimulationOutcome Run(string jsonLine, bool explain = false)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(jsonLine, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            return new SimulationOutcome(null, null, "malformed case: " + ex.Message);
        }
        using (doc)
            return Run(doc.RootElement, explain);
    }

    /// <summary>Runs one case given as a JSON object.</summary>
    public static SimulationOutcome Run(JsonElement root, bool explain = false)
    {
        JsonElement? id = null;
        try
        {
            id = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("id", out var idElement) ? idElement.Clone() : null;
            var input = ReadCase(root);
            var result = PolicyEvaluator.EvaluateWithResult(input.Request, input.Principal, input.Resource, input.Session, explain);
            return new SimulationOutcome(id, result, null);
        }
        catch (CaseException ex)
        {
            return new SimulationOutcome(id, null, ex.Message);
        }
        catch (InvalidOperationException ex) when (ex.TargetSite?.DeclaringType?.Assembly == typeof(JsonDocument).Assembly)
        {
            // JsonDocument parses lazily: a name or string with an escaped lone surrogate (`"\ud800"`) is refused only
            // when it is read. Found by the 100,000-input fuzz run.
            return new SimulationOutcome(id, null, "malformed case: " + ex.Message);
        }
    }

    /// <summary>The compiled inputs of one case.</summary>
    public sealed record CaseInput(AuthorizationRequest Request, PrincipalPolicySet Principal, ResourcePolicySet Resource, CompiledPolicy? Session);

    /// <summary>Reads and compiles a case; throws <see cref="CaseException"/> with a clear message for bad input.</summary>
    public static CaseInput ReadCase(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
            throw new CaseException("case must be a JSON object");
        foreach (var property in root.EnumerateObject())
            if (!KnownFields.Contains(property.Name))
                throw new CaseException($"unknown field `{property.Name}`");

        var principal = RequiredString(root, "principal");
        var action = RequiredString(root, "action");
        var resource = RequiredString(root, "resource");
        var resourceAccount = OptionalString(root, "resourceAccount");
        var context = ReadContext(root);
        if (!AuthorizationRequest.TryCreate(principal, action, resource, resourceAccount, context, out var request, out var error))
            throw new CaseException(error);

        var identity = ReadDocuments(root, "identityPolicies", PolicyType.Identity, "identity");
        var boundaries = ReadDocuments(root, "permissionBoundaries", PolicyType.PermissionsBoundary, "boundary");
        var scps = ReadLevels(root, "scps", PolicyType.Guardrail, "scp");
        var rcps = ReadLevels(root, "rcps", PolicyType.ResourceGuardrail, "rcp");
        var resourcePolicy = ReadOptionalDocument(root, "resourcePolicy", PolicyType.Resource, "resource");
        var session = ReadOptionalDocument(root, "sessionPolicy", PolicyType.Session, "session");

        return new CaseInput(request, new PrincipalPolicySet(identity, boundaries, scps), new ResourcePolicySet(resourcePolicy, rcps), session);
    }

    /// <summary>Compiles one policy document given as a JSON value (an object, or a string holding the JSON).</summary>
    public static CompiledPolicy CompileDocument(JsonElement element, PolicyType type, string id)
    {
        var json = element.ValueKind switch
        {
            JsonValueKind.Object => element.GetRawText(),
            JsonValueKind.String => element.GetString()!,
            _ => throw new CaseException($"{id}: policy must be a JSON object, not {element.ValueKind.ToString().ToLowerInvariant()}"),
        };
        var result = PolicyCompiler.ParseAndCompile(json, type, id, null, CaseParseOptions);
        if (result.Policy is null)
            throw new CaseException($"{id}: {result.FirstError}");
        return result.Policy;
    }

    private static RequestContext ReadContext(JsonElement root)
    {
        if (!root.TryGetProperty("context", out var context) || context.ValueKind == JsonValueKind.Null)
            return RequestContext.Empty;
        if (context.ValueKind != JsonValueKind.Object)
            throw new CaseException("`context` must be an object");
        var values = new List<KeyValuePair<string, string[]>>();
        foreach (var property in context.EnumerateObject())
        {
            var v = property.Value;
            string[]? converted = v.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.Array => [.. v.EnumerateArray().Select(item => Scalar(property.Name, item))],
                _ => [Scalar(property.Name, v)],
            };
            if (converted is not null)
                values.Add(new(property.Name, converted));
        }
        return RequestContext.Create(values);
    }

    private static string Scalar(string key, JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString()!,
        JsonValueKind.Number => v.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => throw new CaseException($"context key `{key}`: values must be strings, numbers or booleans"),
    };

    private static ImmutableArray<CompiledPolicy> ReadDocuments(JsonElement root, string field, PolicyType type, string prefix)
    {
        if (!root.TryGetProperty(field, out var element) || element.ValueKind == JsonValueKind.Null)
            return [];
        if (element.ValueKind != JsonValueKind.Array)
            throw new CaseException($"`{field}` must be an array of policy documents");
        return [.. element.EnumerateArray().Select((e, i) => CompileDocument(e, type, $"{prefix}[{i}]"))];
    }

    private static CompiledPolicy? ReadOptionalDocument(JsonElement root, string field, PolicyType type, string id)
    {
        if (!root.TryGetProperty(field, out var element) || element.ValueKind == JsonValueKind.Null)
            return null;
        return CompileDocument(element, type, id);
    }

    private static ImmutableArray<ImmutableArray<CompiledPolicy>> ReadLevels(JsonElement root, string field, PolicyType type, string prefix)
    {
        if (!root.TryGetProperty(field, out var element) || element.ValueKind == JsonValueKind.Null)
            return default;
        if (element.ValueKind != JsonValueKind.Array)
            throw new CaseException($"`{field}` must be an array of levels");
        var levels = ImmutableArray.CreateBuilder<ImmutableArray<CompiledPolicy>>();
        var i = 0;
        foreach (var level in element.EnumerateArray())
        {
            levels.Add(level.ValueKind == JsonValueKind.Array
                ? [.. level.EnumerateArray().Select((e, j) => CompileDocument(e, type, $"{prefix}[{i}][{j}]"))]
                : [CompileDocument(level, type, $"{prefix}[{i}]")]);
            i++;
        }
        return levels.ToImmutable();
    }

    private static string RequiredString(JsonElement root, string field)
    {
        if (!root.TryGetProperty(field, out var v) || v.ValueKind != JsonValueKind.String || v.GetString()!.Length == 0)
            throw new CaseException($"missing or invalid `{field}`: expected a non-empty string");
        return v.GetString()!;
    }

    private static string? OptionalString(JsonElement root, string field)
    {
        if (!root.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null)
            return null;
        if (v.ValueKind != JsonValueKind.String)
            throw new CaseException($"invalid `{field}`: expected a string");
        return v.GetString();
    }
}

/// <summary>A case that cannot be evaluated; the message says why.</summary>
public sealed class CaseException(string message) : Exception(message);
