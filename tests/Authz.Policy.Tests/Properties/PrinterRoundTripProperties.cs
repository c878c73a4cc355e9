using Authz.Policy.Parsing;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Authz.Policy.Tests.Properties;

/// <summary>Generators for <see cref="PrinterRoundTripProperties"/>.</summary>
public static class SourceDocumentArbitrary
{
    public static Arbitrary<SourceDocument> Documents() => SourceDocuments.Arbitrary;
}

/// <summary>parse -> print -> parse is stable, and the parser reads exactly what was written.</summary>
public sealed class PrinterRoundTripProperties
{
    /// <summary>Generated documents may exceed the write-time size limit; the round trip is about form, not limits.</summary>
    private static readonly ParseOptions Options = ParseOptions.StrictDefault with { MaxDocumentCharacters = null };

    [Property(MaxTest = 2_000, Arbitrary = [typeof(SourceDocumentArbitrary)])]
    public Property Parse_print_parse_is_stable(SourceDocument source)
    {
        var first = PolicyParser.Parse(source.Text, Options);
        if (first.Document is not { } doc1)
            return false.Label("the parser rejected a valid document: " + string.Join("; ", first.Diagnostics));

        var printed = PolicyPrinter.Print(doc1);
        var second = PolicyParser.Parse(printed, Options);
        if (second.Document is not { } doc2)
            return false.Label($"the parser rejected the printed document: {string.Join("; ", second.Diagnostics)}\nprinted:\n{printed}");
        var reprinted = PolicyPrinter.Print(doc2);

        var compact = PolicyPrinter.Print(doc1, indented: false);
        var fromCompact = PolicyParser.Parse(compact, Options).Document;

        return (DocumentShape.Of(doc1) == DocumentShape.Of(source.Model))
                .Label($"the parser did not read what was written\nexpected:\n{DocumentShape.Of(source.Model)}\nread:\n{DocumentShape.Of(doc1)}")
            .And((reprinted == printed).Label($"printing the reparsed document changed the text\nfirst:\n{printed}\nsecond:\n{reprinted}"))
            .And((DocumentShape.Of(doc2) == DocumentShape.Of(doc1))
                .Label($"the reparsed document differs\nbefore:\n{DocumentShape.Of(doc1)}\nafter:\n{DocumentShape.Of(doc2)}"))
            .And((fromCompact is not null && DocumentShape.Of(fromCompact) == DocumentShape.Of(doc1)
                    && PolicyPrinter.Print(fromCompact, indented: false) == compact)
                .Label($"the compact form does not round-trip\ncompact:\n{compact}"));
    }
}
