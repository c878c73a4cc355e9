using Authz.Policy.Evaluation;

namespace Authz.Grains.Tests;

/// <summary>Principals with the same documents share one compiled set's policies and indexes, each at its own revision.</summary>
public sealed class PolicySetCompilerTests
{
    private static readonly SnapshotDocument Managed = Document("arn:aws:iam::111122223333:policy/data", "v1", DocumentKind.Identity, DocumentOrigin.GroupManaged,
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}""");
    private static readonly SnapshotDocument Boundary = Document("arn:aws:iam::111122223333:policy/edge", "v1", DocumentKind.PermissionsBoundary, DocumentOrigin.PermissionsBoundary,
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}""");
    private static readonly SnapshotDocument Guardrail = Document("guardrail", null, DocumentKind.Guardrail, DocumentOrigin.Guardrail,
        """{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}""");

    [Fact]
    public void Principals_with_the_same_documents_share_the_compiled_set_at_their_own_revisions()
    {
        var compiler = new PolicySetCompiler();
        // Documents as each principal's snapshot carries them: equal, but separate objects.
        var first = compiler.Compile(Snapshot("ana", 7, Managed with { }, Boundary with { }, Guardrail with { }));
        var second = compiler.Compile(Snapshot("ben", 9, Managed with { }, Boundary with { }, Guardrail with { }));

        Assert.Equal(7ul, first.Revision);
        Assert.Equal(9ul, second.Revision);
        Assert.True(first.Identity == second.Identity, "the identity policies are one array");
        Assert.True(first.Boundaries == second.Boundaries, "the boundaries are one array");
        Assert.True(first.Guardrails == second.Guardrails, "the guardrail levels are one array");
        Assert.Same(first.WithRevision(9).Identity[0], second.Identity[0]);

        Assert.True(AuthorizationRequest.TryCreate("arn:aws:iam::111122223333:user/ben", "s3:GetObject", "arn:aws:s3:::b/k", null, null, out var request, out var error), error);
        Assert.Equal(Decision.Allow, PolicyEvaluator.Evaluate(request, first, null));
        Assert.Equal(Decision.Allow, PolicyEvaluator.Evaluate(request, second, null));
    }

    [Fact]
    public void Sets_differ_when_the_documents_their_order_or_their_kind_differ()
    {
        var compiler = new PolicySetCompiler();
        var other = Managed with { Id = "arn:aws:iam::111122223333:policy/other" };
        var baseline = compiler.Compile(Snapshot("ana", 1, Managed, Boundary));

        var withoutBoundary = compiler.Compile(Snapshot("ben", 1, Managed));
        Assert.Single(withoutBoundary.Identity);
        Assert.Empty(withoutBoundary.Boundaries);
        Assert.Single(baseline.Boundaries);
        Assert.Equal(["arn:aws:iam::111122223333:policy/other", "arn:aws:iam::111122223333:policy/data"],
            compiler.Compile(Snapshot("ben", 1, other, Managed)).Identity.Select(p => p.Id));
        Assert.Equal(["arn:aws:iam::111122223333:policy/data", "arn:aws:iam::111122223333:policy/other"],
            compiler.Compile(Snapshot("cy", 1, Managed, other)).Identity.Select(p => p.Id));

        // The same document as a boundary instead of an identity policy is another set.
        var asBoundary = compiler.Compile(Snapshot("dee", 1, Managed with { Kind = DocumentKind.PermissionsBoundary, Origin = DocumentOrigin.PermissionsBoundary }));
        Assert.Empty(asBoundary.Identity);
        Assert.Single(asBoundary.Boundaries);

        // A guardrail adds a level.
        var guarded = compiler.Compile(Snapshot("eve", 1, Managed, Boundary, Guardrail));
        Assert.True(baseline.Guardrails.IsDefault);
        Assert.Single(guarded.Guardrails);
    }

    [Fact]
    public void A_full_cache_starts_over_and_still_answers_the_same_sets()
    {
        var compiler = new PolicySetCompiler(capacity: 2);
        for (var i = 0; i < 10; i++)
        {
            var document = Managed with { Id = $"arn:aws:iam::111122223333:policy/p{i % 3}" };
            var set = compiler.Compile(Snapshot($"u{i}", (ulong)i, document, Boundary));
            Assert.Equal((ulong)i, set.Revision);
            Assert.Equal([document.Id], set.Identity.Select(p => p.Id));
            Assert.Single(set.Boundaries);
        }
    }

    private static SnapshotDocument Document(string id, string? version, DocumentKind kind, DocumentOrigin origin, string json) =>
        new() { Id = id, VersionId = version, Kind = kind, Origin = origin, Json = json };

    private static PrincipalSnapshot Snapshot(string name, ulong revision, params SnapshotDocument[] documents) => new()
    {
        TenantId = "111122223333",
        Kind = EntityKind.User,
        Exists = true,
        Name = name,
        Arn = $"arn:aws:iam::111122223333:user/{name}",
        Documents = [.. documents],
        Revision = revision,
    };
}
