using System.Text;
using System.Text.Json.Nodes;

namespace Authz.Fuzz.Tests;

/// <summary>
/// Grammar-aware and byte-level mutations of policy documents and cases. Deterministic for a given seed, so a failure
/// reproduces from the seed printed in the test output.
/// </summary>
internal sealed class PolicyMutator(int seed)
{
    private readonly Random _random = new(seed);

    private static readonly string[] Tokens =
    [
        "\"Allow\"", "\"Deny\"", "\"*\"", "\"?\"", "\"s3:*\"", "\"arn:aws:s3:::*\"", "\"${aws:username}\"", "\"${*}\"",
        "\"${aws:PrincipalTag/team, 'x'}\"", "\"${\"", "\"StringLike\"", "\"ForAllValues:StringEquals\"", "\"NumericLessThan\"",
        "\"DateGreaterThan\"", "\"IpAddress\"", "\"ArnLike\"", "\"Null\"", "\"BoolIfExists\"", "\"BinaryEquals\"",
        "\"10.0.0.0/8\"", "\"::1/129\"", "\"2024-13-45\"", "\"1e400\"", "\"-0\"", "true", "false", "null", "0", "-1",
        "1.5e3", "[]", "{}", "[[[[[]]]]]", "{\"AWS\":\"*\"}", "\"\\u0000\"", "\"\\ud800\"", "\"\u00e9\u4e2d\"",
        "\"Statement\"", "\"Version\"", "\"2012-10-17\"", "\"2008-10-17\"", "\"Condition\"", "\"NotAction\"",
        "\"NotResource\"", "\"NotPrincipal\"", "\"Principal\"", "\"Effect\"", "\"Resource\"", "\"Action\"",
    ];

    public string MutateText(string input)
    {
        // Most mutations keep the JSON well-formed so they reach the grammar, the compiler and the evaluator.
        if (_random.Next(10) < 7)
            return MutateStructure(input);
        var text = input;
        var rounds = 1 + _random.Next(4);
        for (var i = 0; i < rounds; i++)
            text = MutateOnce(text);
        return text;
    }

    public byte[] MutateBytes(byte[] input)
    {
        var bytes = input.ToList();
        var rounds = 1 + _random.Next(4);
        for (var i = 0; i < rounds && bytes.Count > 0; i++)
        {
            var at = _random.Next(bytes.Count);
            switch (_random.Next(4))
            {
                case 0: bytes[at] = (byte)_random.Next(256); break;
                case 1: bytes.Insert(at, (byte)(0x80 + _random.Next(0x80))); break;
                case 2: bytes.RemoveAt(at); break;
                default: bytes[at] ^= (byte)(1 << _random.Next(8)); break;
            }
        }
        return [.. bytes];
    }

    /// <summary>Replaces, removes or duplicates a random node of the parsed JSON and prints it back.</summary>
    public string MutateStructure(string input)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(input);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException)
        {
            return MutateOnce(input);
        }
        if (root is null)
            return input;
        var rounds = 1 + _random.Next(3);
        for (var r = 0; r < rounds; r++)
        {
            var nodes = new List<JsonNode>();
            Collect(root, nodes);
            var target = nodes[_random.Next(nodes.Count)];
            var parent = target.Parent;
            if (parent is null)
                continue;
            var replacement = Replacement();
            switch (parent)
            {
                case JsonObject obj:
                {
                    var name = target.GetPropertyName();
                    switch (_random.Next(4))
                    {
                        case 0: obj.Remove(name); break;
                        case 1: obj.Remove(name); obj[RandomKey()] = replacement; break;
                        default: obj[name] = replacement; break;
                    }
                    break;
                }
                case JsonArray array:
                {
                    var index = target.GetElementIndex();
                    switch (_random.Next(3))
                    {
                        case 0: array.RemoveAt(index); break;
                        case 1: array.Add(target.DeepClone()); break;
                        default: array[index] = replacement; break;
                    }
                    break;
                }
            }
        }
        try
        {
            return root.ToJsonString();
        }
        catch (InvalidOperationException)
        {
            // A replacement held an escaped lone surrogate, which JsonNode cannot write; splice it in as text instead.
            return MutateOnce(input);
        }
    }

    private JsonNode? Replacement()
    {
        var token = Tokens[_random.Next(Tokens.Length)];
        try
        {
            return JsonNode.Parse(token);
        }
        catch (InvalidOperationException)
        {
            // JsonNode cannot hold a lone surrogate; the text-level mutations inject that one.
            return JsonValue.Create("\u00e9");
        }
    }

    private string RandomKey() => _random.Next(6) switch
    {
        0 => "Condition",
        1 => "NotResource",
        2 => "Principal",
        3 => "aws:SourceIp",
        4 => "ForAnyValue:StringLike",
        _ => "Sid",
    };

    private static void Collect(JsonNode node, List<JsonNode> nodes)
    {
        nodes.Add(node);
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                    if (child is not null) Collect(child, nodes);
                break;
            case JsonArray array:
                foreach (var child in array)
                    if (child is not null) Collect(child, nodes);
                break;
        }
    }

    private string MutateOnce(string text)
    {
        if (text.Length == 0)
            return Tokens[_random.Next(Tokens.Length)];
        var at = _random.Next(text.Length);
        switch (_random.Next(10))
        {
            case 0: // replace a JSON string literal with a grammar token
            {
                var start = text.IndexOf('"', at);
                if (start < 0) goto case 1;
                var end = text.IndexOf('"', start + 1);
                if (end < 0) goto case 1;
                return text[..start] + Tokens[_random.Next(Tokens.Length)] + text[(end + 1)..];
            }
            case 1: // insert a token
                return text[..at] + Tokens[_random.Next(Tokens.Length)] + text[at..];
            case 2: // delete a span
                return text.Remove(at, Math.Min(text.Length - at, 1 + _random.Next(12)));
            case 3: // duplicate a span (duplicate keys, repeated statements)
            {
                var len = Math.Min(text.Length - at, 1 + _random.Next(80));
                return text.Insert(at, text.Substring(at, len));
            }
            case 4: // truncate
                return text[..at];
            case 5: // deep nesting
            {
                var depth = 1 + _random.Next(200);
                return text[..at] + new string('[', depth) + new string(']', depth) + text[at..];
            }
            case 6: // flip a character
                return text[..at] + (char)_random.Next(1, 0x250) + text[(at + 1)..];
            case 7: // long value
                return text[..at] + "\"" + new string('*', 1 + _random.Next(5000)) + "a\"" + text[at..];
            case 8: // wildcard explosion inside a string
            {
                var quote = text.IndexOf('"', at);
                if (quote < 0) goto case 1;
                return text.Insert(quote + 1, string.Concat(Enumerable.Repeat("*a?", 1 + _random.Next(200))));
            }
            default: // swap two characters
            {
                var other = _random.Next(text.Length);
                var chars = text.ToCharArray();
                (chars[at], chars[other]) = (chars[other], chars[at]);
                return new string(chars);
            }
        }
    }
}
