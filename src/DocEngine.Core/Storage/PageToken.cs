using System.Buffers.Binary;

namespace DocEngine.Core.Storage;

/// <summary>
/// Opaque page tokens: the listing kind plus the last row's sequence number, so a token from one listing
/// cannot silently page through another.
/// </summary>
internal static class PageToken
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 1000;

    public static string Encode(char kind, long lastSequence)
    {
        Span<byte> bytes = stackalloc byte[9];
        bytes[0] = (byte)kind;
        BinaryPrimitives.WriteInt64BigEndian(bytes[1..], lastSequence);
        return Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    public static long Decode(char kind, string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return 0;
        }
        var padded = token.Replace('-', '+').Replace('_', '/') + new string('=', (4 - token.Length % 4) % 4);
        Span<byte> bytes = stackalloc byte[12];
        if (!Convert.TryFromBase64String(padded, bytes, out var written) || written != 9 || bytes[0] != (byte)kind)
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "INVALID_PAGE_TOKEN",
                "The page_token is not one this listing issued: pass the next_page_token from the previous page, or leave it empty for the first page.")
            { Field = "page_token" };
        }
        return BinaryPrimitives.ReadInt64BigEndian(bytes[1..9]);
    }

    public static int Size(int requested)
    {
        if (requested < 0)
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "INVALID_PAGE_SIZE",
                "The page_size cannot be negative: use 0 for the default of 50, or up to 1000.")
            { Field = "page_size" };
        }
        return requested == 0 ? DefaultPageSize : Math.Min(requested, MaxPageSize);
    }
}
