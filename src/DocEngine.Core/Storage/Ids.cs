using System.Security.Cryptography;

namespace DocEngine.Core.Storage;

/// <summary>Resource ids: generated ones are 20 random base32 characters; caller-chosen ones are 1–64 of [A-Za-z0-9._-].</summary>
public static class Ids
{
    private const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";

    /// <summary>A new random id with 100 bits of entropy.</summary>
    public static string New()
    {
        Span<byte> random = stackalloc byte[20];
        RandomNumberGenerator.Fill(random);
        Span<char> chars = stackalloc char[20];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[random[i] & 31];
        }
        return new string(chars);
    }

    /// <summary>True when <paramref name="id"/> can be used as an id: 1–64 characters from [A-Za-z0-9._-], not "." or "..".</summary>
    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 64 || id is "." or "..")
        {
            return false;
        }
        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return false;
            }
        }
        return true;
    }
}
