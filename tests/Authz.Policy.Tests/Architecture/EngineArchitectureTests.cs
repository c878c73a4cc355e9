using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.CompilerServices;
using Authz.Policy.Compilation;
using Authz.Policy.Conditions;
using Authz.Policy.Evaluation;
using Authz.Policy.Parsing;

namespace Authz.Policy.Tests.Architecture;

/// <summary>The engine stays a pure library, and its compiled objects stay immutable (STYLE.md, engine items 3 and the layout rule).</summary>
public sealed class EngineArchitectureTests
{
    private static readonly string[] ForbiddenPrefixes =
    [
        "Orleans", "Microsoft.Orleans", "Grpc", "Google.Protobuf", "Microsoft.AspNetCore", "Microsoft.Extensions.Logging",
    ];

    [Fact]
    public void The_engine_references_no_orleans_grpc_aspnetcore_or_logging_assembly()
    {
        var referenced = typeof(PolicyParser).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();

        var forbidden = referenced.Where(name => ForbiddenPrefixes.Any(p => name.StartsWith(p, StringComparison.OrdinalIgnoreCase))).ToArray();

        Assert.True(forbidden.Length == 0, "Authz.Policy references " + string.Join(", ", forbidden));
        Assert.Contains("System.Runtime", referenced);
    }

    public static TheoryData<Type> CompiledTypes =>
    [
        typeof(CompiledPolicy), typeof(CompiledStatement), typeof(WildcardPattern), typeof(PrincipalMatcher),
        typeof(CompiledCondition), typeof(ActionIndex), typeof(PrincipalPolicySet), typeof(ResourcePolicySet),
    ];

    private const BindingFlags PublicInstance = BindingFlags.Public | BindingFlags.Instance;

    private static bool IsInitOnly(MethodInfo setter) =>
        setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit));

    [Theory]
    [MemberData(nameof(CompiledTypes))]
    public void Compiled_types_have_no_public_setters_or_mutable_public_fields(Type type)
    {
        var problems = new List<string>();
        foreach (var property in type.GetProperties(PublicInstance | BindingFlags.Static | BindingFlags.Public))
        {
            // An init accessor can only run while the object is being created, so it does not make the object mutable.
            if (property.SetMethod is { IsPublic: true } setter && !IsInitOnly(setter))
                problems.Add($"property `{property.Name}` has a public setter");
        }
        foreach (var field in type.GetFields(PublicInstance | BindingFlags.Static))
        {
            if (!field.IsInitOnly && !field.IsLiteral)
                problems.Add($"field `{field.Name}` is not readonly");
        }

        Assert.True(problems.Count == 0, $"{type.Name}: {string.Join("; ", problems)}");
    }

    [Theory]
    [MemberData(nameof(CompiledTypes))]
    public void Compiled_types_are_sealed_and_expose_no_mutable_collections(Type type)
    {
        var mutable = type.GetProperties(PublicInstance)
            .Where(p => IsMutableCollection(p.PropertyType))
            .Select(p => $"`{p.Name}` is a {p.PropertyType.Name}")
            .ToArray();

        Assert.True(type.IsSealed, $"{type.Name} is not sealed");
        Assert.True(mutable.Length == 0, $"{type.Name}: {string.Join("; ", mutable)}");
    }

    private static bool IsMutableCollection(Type t)
    {
        if (t == typeof(string) || t.IsByRefLike)
            return false;
        if (t.IsArray)
            return true;
        if (t.IsGenericType && t.GetGenericTypeDefinition() is var g
            && (g == typeof(ImmutableArray<>) || g == typeof(IReadOnlyList<>) || g == typeof(IReadOnlyCollection<>) || g == typeof(IEnumerable<>)
                || g == typeof(IReadOnlyDictionary<,>) || g.Namespace is "System.Collections.Immutable" or "System.Collections.Frozen"))
            return false;
        return typeof(IEnumerable).IsAssignableFrom(t);
    }
}
