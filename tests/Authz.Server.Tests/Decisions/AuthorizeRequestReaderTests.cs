using System.Text;
using Authz.V1;
using Google.Protobuf;
using Xunit.Abstractions;

namespace Authz.Server.Tests.Decisions;

/// <summary>
/// The server reads <c>Authorize</c> requests with <see cref="AuthorizeRequestReader"/>, not the generated parser. It must
/// accept exactly what the generated parser accepts and read the same request from it. These tests compare the two on
/// random encodings (fields repeated, out of order, unknown fields and groups in between, repeated map keys) and on
/// byte-level mutations of them. Deterministic for a seed; AUTHZ_FUZZ_ITERATIONS and AUTHZ_FUZZ_SEED change the run.
/// </summary>
public sealed class AuthorizeRequestReaderTests(ITestOutputHelper output)
{
    private static int Iterations =>
        int.TryParse(Environment.GetEnvironmentVariable("AUTHZ_FUZZ_ITERATIONS"), out var n) && n > 0 ? n : 20_000;

    private static int Seed =>
        int.TryParse(Environment.GetEnvironmentVariable("AUTHZ_FUZZ_SEED"), out var s) ? s : 20261130;

    private static readonly string[] Texts =
    [
        "", "111122223333", "arn:aws:iam::111122223333:user/alice", "arn:aws:sts::111122223333:assumed-role/trainer/job-7",
        "s3:GetObject", "sagemaker:CreateTrainingJob", "arn:aws:s3:::ml-training-data/x.csv", "*", "aws:SourceIp",
        "10.1.2.3", "aws:RequestTag/team", "AWS:SOURCEIP", "d\u00e9j\u00e0-vu", "\u4e2d\u6587", "\ud83d\ude00",
        new string('a', Utf8StringTable.MaxCachedBytes), new string('b', Utf8StringTable.MaxCachedBytes + 1),
    ];

    [Fact]
    public void Reads_what_the_generated_parser_reads_from_random_encodings()
    {
        var random = new Random(Seed);
        // A small table, so that slots are shared and replaced all the time.
        var strings = new Utf8StringTable(slots: 8);
        for (var i = 0; i < Iterations; i++)
        {
            var bytes = RandomEncoding(random);
            AssertSameOutcome(bytes, strings, $"seed {Seed}, case {i}");
        }

        output.WriteLine($"{Iterations} random encodings, seed {Seed}");
    }

    [Fact]
    public void Accepts_and_refuses_what_the_generated_parser_does_on_mutated_bytes()
    {
        var random = new Random(Seed + 1);
        var strings = new Utf8StringTable(slots: 8);
        var refused = 0;
        for (var i = 0; i < Iterations; i++)
        {
            var bytes = Mutate(RandomEncoding(random), random);
            refused += AssertSameOutcome(bytes, strings, $"seed {Seed + 1}, case {i}") ? 0 : 1;
        }

        output.WriteLine($"{Iterations} mutated encodings, seed {Seed + 1}: {refused} refused by both parsers");
        // Mutations must reach both outcomes for the comparison to mean anything.
        Assert.InRange(refused, Iterations / 20, Iterations - Iterations / 20);
    }

    [Fact]
    public void Reads_a_request_split_across_buffers_as_one()
    {
        var request = new AuthorizeRequest
        {
            Principal = "arn:aws:iam::111122223333:user/alice",
            Action = "s3:GetObject",
            Resource = "arn:aws:s3:::ml-training-data/x.csv",
            Context = { ["aws:SourceIp"] = new ContextValues { Values = { "10.1.2.3", "10.1.2.4" } } },
            MinRevision = 42,
        };
        var bytes = request.ToByteArray();
        var strings = new Utf8StringTable();
        for (var split = 1; split < bytes.Length; split++)
        {
            var read = AuthorizeRequestReader.Read(Segments.Of(bytes[..split], bytes[split..]), strings);
            AssertSame(request, read, $"split at {split}");
        }
    }

    [Fact]
    public void Returns_the_string_decoded_before_for_the_same_ascii_bytes_and_only_for_them()
    {
        var strings = new Utf8StringTable(slots: 1);
        var alice = Encoding.UTF8.GetBytes("arn:aws:iam::111122223333:user/alice");
        var first = strings.Get(alice);
        Assert.Same(first, strings.Get(alice.ToArray()));

        // One slot: another string replaces it, and each input still reads as itself.
        Assert.Equal("arn:aws:iam::111122223333:user/bob", strings.Get("arn:aws:iam::111122223333:user/bob"u8));
        Assert.Equal("arn:aws:iam::111122223333:user/alice", strings.Get(alice));

        // Non-ASCII strings are decoded each time and never returned for other bytes.
        var accented = Encoding.UTF8.GetBytes("d\u00e9j\u00e0-vu");
        Assert.NotSame(strings.Get(accented), strings.Get(accented));
        Assert.Throws<DecoderFallbackException>(() => strings.Get([0x61, 0xC3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Utf8StringTable(slots: 3));
    }

    /// <summary>Both parse, to the same request, or both refuse; returns whether they parsed.</summary>
    private static bool AssertSameOutcome(byte[] bytes, Utf8StringTable strings, string name)
    {
        AuthorizeRequest? expected = null;
        Exception? expectedError = null;
        try
        {
            expected = AuthorizeRequest.Parser.ParseFrom(bytes);
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or DecoderFallbackException)
        {
            expectedError = ex;
        }

        AuthorizeRequest? actual = null;
        Exception? actualError = null;
        try
        {
            actual = AuthorizeRequestReader.Read(bytes, strings);
        }
        catch (Exception ex) when (ex is InvalidDataException or DecoderFallbackException)
        {
            actualError = ex;
        }

        if (expected is null)
        {
            Assert.True(actual is null, $"{name}: the generated parser refuses {Convert.ToHexString(bytes)} ({expectedError!.Message}) but the reader accepts it");
            return false;
        }

        Assert.True(actual is not null, $"{name}: the generated parser accepts {Convert.ToHexString(bytes)} but the reader refuses it ({actualError?.Message})");
        AssertSame(expected, actual, $"{name}: {Convert.ToHexString(bytes)}");
        return true;
    }

    private static void AssertSame(AuthorizeRequest expected, AuthorizeRequest actual, string name)
    {
        Assert.True(expected.TenantId == actual.TenantId, $"{name}: tenant_id");
        Assert.True(expected.Principal == actual.Principal, $"{name}: principal");
        Assert.True(expected.Action == actual.Action, $"{name}: action");
        Assert.True(expected.Resource == actual.Resource, $"{name}: resource");
        Assert.True(expected.MinRevision == actual.MinRevision, $"{name}: min_revision");
        Assert.True(expected.Explain == actual.Explain, $"{name}: explain");
        var want = expected.ContextPairs() ?? [];
        var got = actual.ContextPairs() ?? [];
        Assert.True(want.Select(Show).SequenceEqual(got.Select(Show)),
            $"{name}: context {string.Join("; ", want.Select(Show))} read as {string.Join("; ", got.Select(Show))}");
    }

    private static string Show(KeyValuePair<string, string[]> pair) => $"{pair.Key}=[{string.Join(",", pair.Value)}]";

    private static byte[] RandomEncoding(Random random) => Encode(output =>
    {
        var fields = random.Next(0, 12);
        for (var f = 0; f < fields; f++)
        {
            switch (random.Next(10))
            {
                case 0: WriteString(output, 1, Text(random)); break;
                case 1: WriteString(output, 2, Text(random)); break;
                case 2: WriteString(output, 3, Text(random)); break;
                case 3: WriteString(output, 4, Text(random)); break;
                case 4 or 5: WriteBytes(output, 5, ContextEntry(random)); break;
                case 6: output.WriteTag(6, WireFormat.WireType.Varint); output.WriteUInt64(RandomULong(random)); break;
                case 7: output.WriteTag(7, WireFormat.WireType.Varint); output.WriteUInt64(random.Next(3) == 0 ? RandomULong(random) : (ulong)random.Next(2)); break;
                default: WriteUnknown(output, random, depth: 0); break;
            }
        }
    });

    private static byte[] ContextEntry(Random random) => Encode(output =>
    {
        var fields = random.Next(0, 4);
        for (var f = 0; f < fields; f++)
        {
            switch (random.Next(5))
            {
                case 0 or 1: WriteString(output, 1, Texts[random.Next(8, 12)]); break; // few keys, so they repeat
                case 2 or 3: WriteBytes(output, 2, Values(random)); break;
                default: WriteUnknown(output, random, depth: 0); break;
            }
        }
    });

    private static byte[] Values(Random random) => Encode(output =>
    {
        var fields = random.Next(0, 5);
        for (var f = 0; f < fields; f++)
        {
            if (random.Next(5) == 0)
            {
                WriteUnknown(output, random, depth: 0);
            }
            else
            {
                WriteString(output, 1, Text(random));
            }
        }
    });

    private static byte[] Encode(Action<CodedOutputStream> write)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        write(output);
        output.Flush();
        return stream.ToArray();
    }

    /// <summary>A field the message does not know: another number, or a known number with another wire type.</summary>
    private static void WriteUnknown(CodedOutputStream output, Random random, int depth)
    {
        var field = random.Next(3) == 0 ? random.Next(1, 8) : random.Next(8, 3000);
        switch (random.Next(depth < 3 ? 5 : 4))
        {
            case 0:
                // Wire type 0 under a string field's number is unknown to the parser.
                output.WriteTag(field, WireFormat.WireType.Varint);
                output.WriteUInt64(RandomULong(random));
                break;
            case 1:
                output.WriteTag(field, WireFormat.WireType.Fixed32);
                output.WriteFixed32((uint)random.Next());
                break;
            case 2:
                output.WriteTag(field, WireFormat.WireType.Fixed64);
                output.WriteFixed64(RandomULong(random));
                break;
            case 3:
                if (field is 6 or 7)
                {
                    field += 10; // a length-delimited 6 or 7 would be a packed varint, which the parser reads
                }

                WriteBytes(output, field, Encoding.UTF8.GetBytes(Text(random)));
                break;
            default:
                output.WriteTag(field, WireFormat.WireType.StartGroup);
                for (var i = random.Next(3); i > 0; i--)
                {
                    WriteUnknown(output, random, depth + 1);
                }

                output.WriteTag(field, WireFormat.WireType.EndGroup);
                break;
        }
    }

    private static byte[] Mutate(byte[] bytes, Random random)
    {
        var list = bytes.ToList();
        for (var m = random.Next(1, 4); m > 0; m--)
        {
            switch (random.Next(5))
            {
                case 0 when list.Count > 0: list[random.Next(list.Count)] ^= (byte)(1 << random.Next(8)); break;
                case 1 when list.Count > 0: list[random.Next(list.Count)] = (byte)random.Next(256); break;
                case 2 when list.Count > 0: list.RemoveRange(random.Next(list.Count), 1); break;
                case 3 when list.Count > 0:
                    var end = random.Next(list.Count);
                    list.RemoveRange(end, list.Count - end); // truncated
                    break;
                case 4: list.Insert(random.Next(list.Count + 1), (byte)random.Next(256)); break;
                default: list.Add((byte)random.Next(256)); break;
            }
        }

        return [.. list];
    }

    private static string Text(Random random) => Texts[random.Next(Texts.Length)];

    private static ulong RandomULong(Random random) => random.Next(4) switch
    {
        0 => (ulong)random.Next(128),
        1 => ulong.MaxValue - (ulong)random.Next(3),
        _ => (ulong)random.NextInt64() << random.Next(2),
    };

    private static void WriteString(CodedOutputStream output, int field, string value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    }

    private static void WriteBytes(CodedOutputStream output, int field, byte[] value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(value));
    }

    /// <summary>A sequence of two segments, as Kestrel hands over a request larger than one of its blocks.</summary>
    private sealed class Segments : System.Buffers.ReadOnlySequenceSegment<byte>
    {
        private Segments(byte[] bytes, long runningIndex)
        {
            Memory = bytes;
            RunningIndex = runningIndex;
        }

        public static System.Buffers.ReadOnlySequence<byte> Of(byte[] first, byte[] second)
        {
            var head = new Segments(first, 0);
            var tail = new Segments(second, first.Length);
            head.Next = tail;
            return new(head, 0, tail, second.Length);
        }
    }
}
