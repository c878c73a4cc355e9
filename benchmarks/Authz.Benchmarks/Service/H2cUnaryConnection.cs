using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Authz.Benchmarks;

/// <summary>
/// A minimal HTTP/2 client (cleartext, prior knowledge) that sends one prepared unary gRPC request at a time on the
/// calling thread and allocates nothing per call: the frames are built once, and only the stream id is patched in.
/// <see cref="ServerAllocations"/> uses it so that the process's allocations during its calls are the server's.
/// </summary>
/// <remarks>
/// It speaks just enough HTTP/2 for that: it acknowledges SETTINGS and PING, honours the server's connection window,
/// keeps its own receive window open, and reads frames until the response's trailers. It does not decode response
/// headers (HPACK); a call succeeds when a complete gRPC message arrived before the trailers, since a gRPC error is
/// answered with trailers only. The caller checks the message.
/// </remarks>
public sealed class H2cUnaryConnection : IDisposable
{
    private const byte DataFrame = 0, HeadersFrame = 1, ResetFrame = 3, SettingsFrame = 4, PingFrame = 6, GoAwayFrame = 7, WindowUpdateFrame = 8, ContinuationFrame = 9;
    private const byte EndStreamFlag = 0x1, AckFlag = 0x1, EndHeadersFlag = 0x4, PaddedFlag = 0x8;
    private const int SettingInitialWindowSize = 0x4, SettingEnablePush = 0x2;
    // The smallest maximum frame size HTTP/2 allows: every peer accepts it, and ours stays the default.
    private const int MaxFrameSize = 16_384;
    private const int DefaultWindow = 65_535;

    private readonly Socket _socket;
    private readonly byte[] _request;
    private readonly int[] _streamIdOffsets;
    private readonly int _requestDataLength;
    private readonly byte[] _frameHeader = new byte[9];
    private readonly byte[] _payload = new byte[MaxFrameSize];
    private readonly byte[] _control = new byte[9 + 8];
    private readonly byte[] _response;
    private int _responseLength;
    private int _nextStreamId = 1;
    private long _sendWindow = DefaultWindow;
    private long _unacknowledged;
    private bool _headerBlockEndsStream;
    private bool _peerSettingsSeen;

    private H2cUnaryConnection(Socket socket, byte[] request, int[] streamIdOffsets, int requestDataLength, int maxResponseBytes)
    {
        _socket = socket;
        _request = request;
        _streamIdOffsets = streamIdOffsets;
        _requestDataLength = requestDataLength;
        _response = new byte[maxResponseBytes];
    }

    /// <summary>
    /// Connects to <c>127.0.0.1:<paramref name="port"/></c> and prepares calls of <paramref name="path"/>
    /// (<c>/package.Service/Method</c>) with <paramref name="message"/> (the serialized request) and an
    /// <c>authorization</c> header when <paramref name="authorization"/> is given.
    /// </summary>
    public static H2cUnaryConnection Open(int port, string path, string? authorization, ReadOnlySpan<byte> message, int maxResponseBytes = 1 << 20)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Connect(IPAddress.Loopback, port);
            var request = BuildRequest(port, path, authorization, message, out var offsets, out var dataLength);
            var connection = new H2cUnaryConnection(socket, request, offsets, dataLength, maxResponseBytes);
            connection.Handshake();
            return connection;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Sends the request on a new stream and returns the response message, valid until the next call.</summary>
    public ReadOnlySpan<byte> Call()
    {
        var stream = _nextStreamId;
        if (stream < 0)
        {
            throw new InvalidOperationException("the connection has used every stream id");
        }

        _nextStreamId += 2;
        foreach (var offset in _streamIdOffsets)
        {
            BinaryPrimitives.WriteInt32BigEndian(_request.AsSpan(offset), stream);
        }

        while (_sendWindow < _requestDataLength)
        {
            ReadFrame(stream: 0);
        }

        Send(_request);
        _sendWindow -= _requestDataLength;
        _responseLength = 0;
        while (!ReadFrame(stream))
        {
        }

        if (_responseLength < 5)
        {
            throw new InvalidOperationException($"stream {stream} ended without a message: the server answered with a gRPC error (trailers only)");
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(_response.AsSpan(1));
        if (_response[0] != 0 || length != _responseLength - 5)
        {
            throw new InvalidDataException($"stream {stream}: expected one uncompressed gRPC message, got {_responseLength} bytes announcing {length}");
        }

        return _response.AsSpan(5, length);
    }

    public void Dispose() => _socket.Dispose();

    private void Handshake()
    {
        Send("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8);
        Span<byte> settings = stackalloc byte[9 + 12];
        WriteFrameHeader(settings, 12, SettingsFrame, 0, 0);
        WriteSetting(settings[9..], SettingEnablePush, 0);
        // Streams' receive windows as large as allowed, and the connection's below: the client never waits to read.
        WriteSetting(settings[15..], SettingInitialWindowSize, int.MaxValue);
        Send(settings);
        SendWindowUpdate(int.MaxValue - DefaultWindow);
        while (!_peerSettingsSeen)
        {
            ReadFrame(stream: 0);
        }
    }

    /// <summary>Reads and handles one frame; true when it ends <paramref name="stream"/>.</summary>
    private bool ReadFrame(int stream)
    {
        ReceiveExactly(_frameHeader);
        var length = (_frameHeader[0] << 16) | (_frameHeader[1] << 8) | _frameHeader[2];
        var type = _frameHeader[3];
        var flags = _frameHeader[4];
        var id = BinaryPrimitives.ReadInt32BigEndian(_frameHeader.AsSpan(5)) & int.MaxValue;
        if (length > MaxFrameSize)
        {
            throw new InvalidDataException($"a frame of {length} bytes exceeds the {MaxFrameSize}-byte maximum");
        }

        var payload = _payload.AsSpan(0, length);
        ReceiveExactly(payload);
        switch (type)
        {
            case DataFrame:
                _unacknowledged += length;
                if (_unacknowledged >= 1 << 30)
                {
                    SendWindowUpdate((int)_unacknowledged);
                    _unacknowledged = 0;
                }

                if (id != stream)
                {
                    return false;
                }

                var data = (flags & PaddedFlag) != 0 ? payload[1..^payload[0]] : payload;
                if (_responseLength + data.Length > _response.Length)
                {
                    throw new InvalidDataException($"the response exceeds {_response.Length} bytes");
                }

                data.CopyTo(_response.AsSpan(_responseLength));
                _responseLength += data.Length;
                return (flags & EndStreamFlag) != 0;
            case HeadersFrame:
                _headerBlockEndsStream = id == stream && (flags & EndStreamFlag) != 0;
                return _headerBlockEndsStream && (flags & EndHeadersFlag) != 0;
            case ContinuationFrame:
                return _headerBlockEndsStream && id == stream && (flags & EndHeadersFlag) != 0;
            case SettingsFrame when (flags & AckFlag) == 0:
                for (var at = 0; at + 6 <= payload.Length; at += 6)
                {
                    if (BinaryPrimitives.ReadUInt16BigEndian(payload[at..]) == SettingInitialWindowSize
                        && BinaryPrimitives.ReadUInt32BigEndian(payload[(at + 2)..]) < _requestDataLength)
                    {
                        throw new NotSupportedException($"the server's stream window is smaller than the {_requestDataLength}-byte request");
                    }
                }

                WriteFrameHeader(_control, 0, SettingsFrame, AckFlag, 0);
                Send(_control.AsSpan(0, 9));
                _peerSettingsSeen = true;
                return false;
            case PingFrame when (flags & AckFlag) == 0:
                WriteFrameHeader(_control, 8, PingFrame, AckFlag, 0);
                payload.CopyTo(_control.AsSpan(9));
                Send(_control);
                return false;
            case WindowUpdateFrame when id == 0:
                _sendWindow += BinaryPrimitives.ReadInt32BigEndian(payload) & int.MaxValue;
                return false;
            case ResetFrame when id == stream:
                throw new InvalidOperationException($"the server reset stream {id} (HTTP/2 error code {BinaryPrimitives.ReadUInt32BigEndian(payload)})");
            case GoAwayFrame:
                throw new InvalidOperationException($"the server closed the connection (GOAWAY, HTTP/2 error code {BinaryPrimitives.ReadUInt32BigEndian(payload[4..])})");
            default:
                return false;
        }
    }

    private void SendWindowUpdate(int increment)
    {
        WriteFrameHeader(_control, 4, WindowUpdateFrame, 0, 0);
        BinaryPrimitives.WriteInt32BigEndian(_control.AsSpan(9), increment);
        Send(_control.AsSpan(0, 13));
    }

    private void Send(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            bytes = bytes[_socket.Send(bytes)..];
        }
    }

    private void ReceiveExactly(Span<byte> into)
    {
        while (!into.IsEmpty)
        {
            var read = _socket.Receive(into);
            if (read == 0)
            {
                throw new IOException("the server closed the connection");
            }

            into = into[read..];
        }
    }

    /// <summary>A HEADERS frame and the DATA frames of one request; the stream id fields are patched per call.</summary>
    private static byte[] BuildRequest(int port, string path, string? authorization, ReadOnlySpan<byte> message, out int[] streamIdOffsets, out int dataLength)
    {
        // HPACK: indexed fields and literals without indexing, no Huffman coding, so no dynamic table is involved.
        var block = new List<byte> { 0x80 | 3, 0x80 | 6 }; // :method POST, :scheme http (static table entries 3 and 6)
        Literal(block, 4, path);                              // :path
        Literal(block, 1, $"127.0.0.1:{port}");              // :authority
        Literal(block, 31, "application/grpc");              // content-type
        if (authorization is not null)
        {
            Literal(block, 23, authorization);               // authorization
        }

        block.Add(0);                                          // te: trailers (a new name)
        String(block, "te");
        String(block, "trailers");

        var body = new byte[5 + message.Length];               // the gRPC length prefix: uncompressed, big-endian length
        BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(1), message.Length);
        message.CopyTo(body.AsSpan(5));

        var frames = new List<byte>();
        var offsets = new List<int>();
        AddFrame(frames, offsets, HeadersFrame, EndHeadersFlag, [.. block]);
        for (var at = 0; at < body.Length; at += MaxFrameSize)
        {
            var end = Math.Min(at + MaxFrameSize, body.Length);
            AddFrame(frames, offsets, DataFrame, end == body.Length ? EndStreamFlag : (byte)0, body[at..end]);
        }

        streamIdOffsets = [.. offsets];
        dataLength = body.Length;
        return [.. frames];
    }

    private static void AddFrame(List<byte> frames, List<int> streamIdOffsets, byte type, byte flags, byte[] payload)
    {
        var header = new byte[9];
        WriteFrameHeader(header, payload.Length, type, flags, 0);
        streamIdOffsets.Add(frames.Count + 5);
        frames.AddRange(header);
        frames.AddRange(payload);
    }

    private static void WriteFrameHeader(Span<byte> into, int length, byte type, byte flags, int stream)
    {
        into[0] = (byte)(length >> 16);
        into[1] = (byte)(length >> 8);
        into[2] = (byte)length;
        into[3] = type;
        into[4] = flags;
        BinaryPrimitives.WriteInt32BigEndian(into[5..], stream);
    }

    private static void WriteSetting(Span<byte> into, int id, int value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(into, (ushort)id);
        BinaryPrimitives.WriteInt32BigEndian(into[2..], value);
    }

    /// <summary>A literal header field without indexing whose name is static table entry <paramref name="nameIndex"/>.</summary>
    private static void Literal(List<byte> block, int nameIndex, string value)
    {
        Integer(block, nameIndex, prefixBits: 4, pattern: 0);
        String(block, value);
    }

    private static void String(List<byte> block, string value)
    {
        var bytes = Encoding.ASCII.GetBytes(value);
        Integer(block, bytes.Length, prefixBits: 7, pattern: 0);
        block.AddRange(bytes);
    }

    /// <summary>An HPACK integer (RFC 7541, 5.1) with a prefix of <paramref name="prefixBits"/> bits.</summary>
    private static void Integer(List<byte> block, int value, int prefixBits, byte pattern)
    {
        var max = (1 << prefixBits) - 1;
        if (value < max)
        {
            block.Add((byte)(pattern | value));
            return;
        }

        block.Add((byte)(pattern | max));
        for (value -= max; value >= 128; value /= 128)
        {
            block.Add((byte)(value % 128 + 128));
        }

        block.Add((byte)value);
    }
}
