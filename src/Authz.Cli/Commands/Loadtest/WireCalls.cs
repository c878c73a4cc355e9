using System.Buffers;
using Authz.V1;
using Google.Protobuf;
using Grpc.Core;

namespace Authz.Cli.Commands.Loadtest;

/// <summary>
/// The generator's <c>Authorize</c> and <c>BatchAuthorize</c> calls in their wire form. Each check's request is encoded
/// once (<see cref="WorkloadCheck.Encoded"/>) and a call only copies those bytes; a batch's answers are read as far as
/// their decisions, and one in full only when it is not the expected one. The generator shares the machine's cores with
/// the server it measures, and encoding every request and decoding every whole answer took 40% of its CPU in a
/// <c>BatchAuthorize</c> run. The bytes on the wire are the same as the generated client's.
/// </summary>
public static class WireCalls
{
    private const string Service = "authz.v1.Authorization";

    /// <summary><c>Authorize</c> with a check encoded in advance.</summary>
    public static readonly Method<WorkloadCheck, AuthorizeResponse> Authorize = new(MethodType.Unary, Service, "Authorize",
        Marshallers.Create<WorkloadCheck>((check, context) => Write(context, check.Encoded), _ => throw new NotSupportedException()),
        Marshallers.Create<AuthorizeResponse>((_, _) => throw new NotSupportedException(), context => AuthorizeResponse.Parser.ParseFrom(context.PayloadAsReadOnlySequence())));

    /// <summary><c>BatchAuthorize</c> with checks encoded in advance.</summary>
    public static readonly Method<WorkloadCheck[], BatchAnswers> BatchAuthorize = new(MethodType.Unary, Service, "BatchAuthorize",
        Marshallers.Create<WorkloadCheck[]>(WriteBatch, _ => throw new NotSupportedException()),
        Marshallers.Create<BatchAnswers>((_, _) => throw new NotSupportedException(), context => BatchAnswers.Read(context.PayloadAsNewBuffer())));

    // BatchAuthorizeRequest.checks: field 1, length-delimited.
    private const byte ChecksTag = 1 << 3 | 2;

    private static void Write(SerializationContext context, byte[] payload)
    {
        context.SetPayloadLength(payload.Length);
        var writer = context.GetBufferWriter();
        payload.CopyTo(writer.GetSpan(payload.Length));
        writer.Advance(payload.Length);
        context.Complete();
    }

    private static void WriteBatch(WorkloadCheck[] checks, SerializationContext context)
    {
        var length = 0;
        foreach (var check in checks)
        {
            length += 1 + CodedOutputStream.ComputeLengthSize(check.Encoded.Length) + check.Encoded.Length;
        }

        context.SetPayloadLength(length);
        var writer = context.GetBufferWriter();
        var span = writer.GetSpan(length);
        var at = 0;
        foreach (var check in checks)
        {
            span[at++] = ChecksTag;
            for (var size = (uint)check.Encoded.Length; ; size >>= 7)
            {
                if (size < 0x80)
                {
                    span[at++] = (byte)size;
                    break;
                }

                span[at++] = (byte)(size | 0x80);
            }

            check.Encoded.CopyTo(span[at..]);
            at += check.Encoded.Length;
        }

        writer.Advance(length);
        context.Complete();
    }
}

/// <summary>
/// The answers of one <c>BatchAuthorize</c> call, each read only as far as its decision; <see cref="Full"/> decodes one
/// whole, to describe a mismatch.
/// </summary>
public sealed class BatchAnswers
{
    private readonly byte[] _payload;
    private readonly List<(int Start, int Length, Decision Decision)> _answers;

    private BatchAnswers(byte[] payload, List<(int Start, int Length, Decision Decision)> answers)
    {
        _payload = payload;
        _answers = answers;
    }

    public int Count => _answers.Count;

    public Decision DecisionAt(int index) => _answers[index].Decision;

    public AuthorizeResponse Full(int index) => AuthorizeResponse.Parser.ParseFrom(_payload, _answers[index].Start, _answers[index].Length);

    /// <summary>Reads a <c>BatchAuthorizeResponse</c>; throws <see cref="InvalidDataException"/> when it is not one.</summary>
    public static BatchAnswers Read(byte[] payload)
    {
        // BatchAuthorizeResponse.results and AuthorizeResponse.decision are both field 1: length-delimited and varint.
        const uint Results = 1 << 3 | 2, DecisionField = 1 << 3;
        var answers = new List<(int, int, Decision)>(BatchAuthorizeDriver.MaxBatchSize);
        var at = 0;
        while (at < payload.Length)
        {
            var tag = ReadVarint(payload, ref at);
            if (tag != Results)
            {
                Skip(payload, ref at, tag);
                continue;
            }

            var length = ReadLength(payload, ref at);
            var start = at;
            var end = at + length;
            var decision = Decision.Unspecified;
            while (at < end)
            {
                var field = ReadVarint(payload, ref at);
                if (field == DecisionField)
                {
                    decision = (Decision)(int)ReadVarint(payload, ref at);
                }
                else
                {
                    Skip(payload, ref at, field);
                }
            }

            if (at != end)
            {
                throw Truncated();
            }

            answers.Add((start, length, decision));
        }

        return new BatchAnswers(payload, answers);
    }

    private static ulong ReadVarint(byte[] payload, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (at >= payload.Length)
            {
                throw Truncated();
            }

            var b = payload[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }

        throw new InvalidDataException("a varint longer than 10 bytes in a BatchAuthorizeResponse");
    }

    /// <summary>A length-delimited field's length, which must fit in what is left of the payload.</summary>
    private static int ReadLength(byte[] payload, ref int at)
    {
        var length = ReadVarint(payload, ref at);
        return length <= (ulong)(payload.Length - at) ? (int)length : throw Truncated();
    }

    private static void Skip(byte[] payload, ref int at, ulong tag)
    {
        switch (tag & 7)
        {
            case 0:
                ReadVarint(payload, ref at);
                return;
            case 1:
                at += 8;
                break;
            case 2:
                // Read first: `at += ReadLength(ref at)` would add to the position before the length.
                var length = ReadLength(payload, ref at);
                at += length;
                return;
            case 5:
                at += 4;
                break;
            default:
                throw new InvalidDataException($"wire type {tag & 7} in a BatchAuthorizeResponse");
        }

        if (at > payload.Length)
        {
            throw Truncated();
        }
    }

    private static InvalidDataException Truncated() => new("a truncated BatchAuthorizeResponse");
}
