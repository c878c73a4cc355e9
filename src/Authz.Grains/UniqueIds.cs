using System.Security.Cryptography;

namespace Authz.Grains;

/// <summary>
/// AWS-style unique ids: a four-letter prefix that says what the id is for and 17 random base32 characters (85 bits),
/// so an id is never reused after its entity is deleted (<c>aws:userid</c>).
/// </summary>
public static class UniqueIds
{
    public const string UserPrefix = "AIDA";
    public const string GroupPrefix = "AGPA";
    public const string RolePrefix = "AROA";
    public const string PolicyPrefix = "ANPA";

    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    public static string New(string prefix) => prefix + new string(RandomNumberGenerator.GetItems<char>(Alphabet, 17));
}
