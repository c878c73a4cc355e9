using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Authz.Server.Mapping;

/// <summary>
/// Opaque paging tokens: the last key of the previous page bound to the call and its filters, so a token is only
/// accepted by the same call with the same filters. Tokens carry no secret; tampering can only move the start key.
/// </summary>
public static class PageToken
{
    /// <summary>The default page size (the contract's <c>max_items</c> = 0).</summary>
    public const int DefaultMaxItems = 100;

    /// <summary>The largest page the server returns.</summary>
    public const int MaxMaxItems = 1000;

    private const string Version = "p1";

    /// <summary>The page size for a requested <c>max_items</c>: 0 is the default, larger values are capped.</summary>
    public static int PageSize(uint maxItems) => maxItems == 0 ? DefaultMaxItems : (int)Math.Min(maxItems, MaxMaxItems);

    /// <summary>A token that continues after <paramref name="lastKey"/> in the call described by <paramref name="scope"/>.</summary>
    public static string Encode(string scope, string lastKey) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{Version}\n{ScopeHash(scope)}\n{lastKey}"));

    /// <summary>Reads a token; an empty token is the first page (null key).</summary>
    public static bool TryDecode(string token, string scope, out string? afterKey)
    {
        afterKey = null;
        if (string.IsNullOrEmpty(token))
        {
            return true;
        }

        if (token.Length > 8192)
        {
            return false;
        }

        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)).Split('\n', 3);
            if (parts.Length != 3 || parts[0] != Version || parts[1] != ScopeHash(scope))
            {
                return false;
            }

            afterKey = parts[2];
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>
    /// One page of <paramref name="items"/> ordered by <paramref name="key"/> (ordinal), starting after
    /// <paramref name="afterKey"/>, with the token of the next page (empty on the last).
    /// </summary>
    public static (List<T> Items, string NextToken) Page<T>(IEnumerable<T> items, Func<T, string> key, string? afterKey, int pageSize, string scope)
    {
        var ordered = items
            .Select(i => (Item: i, Key: key(i)))
            .Where(i => afterKey is null || string.CompareOrdinal(i.Key, afterKey) > 0)
            .OrderBy(i => i.Key, StringComparer.Ordinal)
            .Take(pageSize + 1)
            .ToList();
        var page = ordered.Take(pageSize).ToList();
        var next = ordered.Count > pageSize ? Encode(scope, page[^1].Key) : "";
        return ([.. page.Select(p => p.Item)], next);
    }

    private static string ScopeHash(string scope) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(scope)).AsSpan(0, 8));
}
