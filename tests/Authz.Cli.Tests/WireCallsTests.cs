using Authz.Cli.Commands.Loadtest;
using Authz.Population;
using Authz.V1;
using Google.Protobuf;
using Grpc.Core;
using System.Buffers;

namespace Authz.Cli.Tests;

/// <summary>
/// The generator's prepared wire form: the bytes it sends are what the generated client would send, and the decisions it
/// reads from a batch's answers are the ones a full decode finds.
/// </summary>
public sealed class WireCallsTests
{
    private static readonly MlPlatformPopulation Population = new(tenants: 3, principals: 200);

    private static readonly Workload Workload = new(Population, new PrincipalSampler(TrafficDistribution.Uniform, 200), RequestMix.Default);

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 7)]
    [InlineData(3, 100)]
    public void A_batch_is_sent_as_the_generated_client_encodes_it(int seed, int size)
    {
        var checks = Workload.NextBatch(new Random(seed), size);
        var expected = new BatchAuthorizeRequest { Checks = { checks.Select(c => c.Check.Request) } };

        Assert.Equal(expected.ToByteArray(), Serialize(WireCalls.BatchAuthorize, checks));
        Assert.Equal(expected, BatchAuthorizeRequest.Parser.ParseFrom(Serialize(WireCalls.BatchAuthorize, checks)));
    }

    [Fact]
    public void A_single_check_is_sent_as_the_generated_client_encodes_it()
    {
        var random = new Random(4);
        for (var i = 0; i < 200; i++)
        {
            var check = Workload.Next(random);
            Assert.Equal(check.Check.Request.ToByteArray(), Serialize(WireCalls.Authorize, check));
        }
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    public void A_batchs_decisions_are_those_of_a_full_decode_whatever_else_the_answers_carry(int seed)
    {
        var response = RandomResponse(new Random(seed), count: 100);
        var answers = WireCalls.BatchAuthorize.ResponseMarshaller.ContextualDeserializer(new Payload(response.ToByteArray()));

        Assert.Equal(response.Results.Count, answers.Count);
        for (var i = 0; i < answers.Count; i++)
        {
            Assert.Equal(response.Results[i].Decision, answers.DecisionAt(i));
            Assert.Equal(response.Results[i], answers.Full(i));
        }
    }

    [Fact]
    public void An_answer_read_from_an_unknown_field_or_a_repeated_decision_follows_protobuf()
    {
        // Unknown fields of every wire type are skipped; of two decisions, the last wins, as in a full decode.
        var answer = new byte[] { 0x08, 0x01, 0x48, 0x96, 0x01, 0x51, 1, 2, 3, 4, 5, 6, 7, 8, 0x5D, 1, 2, 3, 4, 0x62, 0x02, 0x61, 0x62, 0x08, 0x02 };
        var payload = new byte[] { 0x0A, (byte)answer.Length }.Concat(answer).ToArray();

        var answers = BatchAnswers.Read(payload);

        Assert.Equal(1, answers.Count);
        Assert.Equal(BatchAuthorizeResponse.Parser.ParseFrom(payload).Results[0].Decision, answers.DecisionAt(0));
        Assert.Equal(Decision.ExplicitDeny, answers.DecisionAt(0));
    }

    [Fact]
    public void A_truncated_answer_is_an_error_not_a_decision()
    {
        var response = RandomResponse(new Random(7), count: 3);
        var payload = response.ToByteArray();
        // Where each answer ends: a cut there reads as fewer answers (the call's check count catches it); any other cut
        // is an error.
        var ends = new List<int>();
        foreach (var answer in response.Results)
        {
            ends.Add((ends.Count == 0 ? 0 : ends[^1]) + 1 + CodedOutputStream.ComputeMessageSize(answer));
        }

        Assert.Equal(payload.Length, ends[^1]);
        for (var cut = 1; cut < payload.Length; cut++)
        {
            var prefix = payload[..cut];
            if (ends.IndexOf(cut) is var complete and >= 0)
            {
                Assert.Equal(complete + 1, BatchAnswers.Read(prefix).Count);
            }
            else
            {
                Assert.Throws<InvalidDataException>(() => BatchAnswers.Read(prefix));
            }
        }
    }

    private static BatchAuthorizeResponse RandomResponse(Random random, int count)
    {
        var response = new BatchAuthorizeResponse();
        for (var i = 0; i < count; i++)
        {
            var answer = new AuthorizeResponse { Decision = (Decision)random.Next(4), Revision = (ulong)random.NextInt64(0, long.MaxValue) };
            for (var d = random.Next(3); d > 0; d--)
            {
                answer.Determining.Add(new StatementReference
                {
                    Policy = $"arn:aws:iam::111122223333:policy/p-{random.Next(1000)}",
                    Version = "v" + random.Next(1, 6),
                    StatementIndex = (uint)random.Next(300),
                    Sid = random.Next(2) == 0 ? string.Empty : "Sid" + random.Next(50),
                    PolicyType = (PolicyType)random.Next(1, 5),
                });
            }
            if (random.Next(3) == 0)
            {
                answer.Reason = new string('r', random.Next(1, 300));
            }
            response.Results.Add(answer);
        }

        return response;
    }

    private static byte[] Serialize<T>(Method<T, AuthorizeResponse> method, T request) => Serialize(method.RequestMarshaller, request);

    private static byte[] Serialize<T>(Method<T, BatchAnswers> method, T request) => Serialize(method.RequestMarshaller, request);

    private static byte[] Serialize<T>(Marshaller<T> marshaller, T request)
    {
        var context = new Buffer();
        marshaller.ContextualSerializer(request, context);
        Assert.True(context.Completed);
        Assert.Equal(context.DeclaredLength, context.Writer.WrittenCount);
        return context.Writer.WrittenSpan.ToArray();
    }

    private sealed class Buffer : SerializationContext
    {
        public ArrayBufferWriter<byte> Writer { get; } = new();
        public int DeclaredLength { get; private set; } = -1;
        public bool Completed { get; private set; }
        public override void SetPayloadLength(int payloadLength) => DeclaredLength = payloadLength;
        public override IBufferWriter<byte> GetBufferWriter() => Writer;
        public override void Complete(byte[] payload) => throw new NotSupportedException();
        public override void Complete() => Completed = true;
    }

    private sealed class Payload(byte[] bytes) : DeserializationContext
    {
        public override int PayloadLength => bytes.Length;
        public override byte[] PayloadAsNewBuffer() => (byte[])bytes.Clone();
        public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => new(bytes);
    }
}
