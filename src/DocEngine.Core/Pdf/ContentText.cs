using System.Text;

namespace DocEngine.Core.Pdf;

/// <summary>
/// Reads a content stream for what font subsetting needs: the font each <c>Tf</c> selects and the bytes each text
/// operator (<c>Tj</c>, <c>TJ</c>, <c>'</c>, <c>"</c>) shows. Everything else is skipped, inline images included.
/// </summary>
internal static class ContentText
{
    private enum Kind { Name, String, Other }

    private readonly record struct Operand(Kind Kind, string? Name = null, byte[]? Bytes = null);

    /// <summary>
    /// Calls <paramref name="selectFont"/> with each selected font's resource name (without the slash; false stops the
    /// read) and <paramref name="show"/> with each shown string's bytes. False when stopped or the stream ends inside an
    /// inline image.
    /// </summary>
    public static bool Read(byte[] content, CancellationToken cancellationToken, Func<string, bool> selectFont, Action<byte[]> show)
    {
        var operands = new List<Operand>();
        var i = 0;
        while (i < content.Length)
        {
            if ((i & 0xFFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            var c = content[i];
            if (IsWhite(c) || c is (byte)'[' or (byte)']' or (byte)'{' or (byte)'}')
            {
                i++;
            }
            else if (c == '%')
            {
                while (i < content.Length && content[i] is not (byte)'\n' and not (byte)'\r')
                {
                    i++;
                }
            }
            else if (c == '(')
            {
                operands.Add(new Operand(Kind.String, Bytes: Literal(content, ref i)));
            }
            else if (c is (byte)'<' or (byte)'>' && i + 1 < content.Length && content[i + 1] == c)
            {
                i += 2; // a dictionary's brackets (marked-content properties): its names and strings are operands like any
            }
            else if (c == '>')
            {
                i++;
            }
            else if (c == '<')
            {
                operands.Add(new Operand(Kind.String, Bytes: Hex(content, ref i)));
            }
            else if (c == '/')
            {
                var start = ++i;
                while (i < content.Length && !IsWhite(content[i]) && !IsDelimiter(content[i]))
                {
                    i++;
                }
                operands.Add(new Operand(Kind.Name, Name: DecodeName(content.AsSpan(start, i - start))));
            }
            else
            {
                var start = i;
                while (i < content.Length && !IsWhite(content[i]) && !IsDelimiter(content[i]))
                {
                    i++;
                }
                var word = Encoding.Latin1.GetString(content, start, Math.Max(1, i - start));
                i = Math.Max(i, start + 1);
                if (char.IsDigit(word[0]) || word[0] is '+' or '-' or '.' || word is "true" or "false" or "null")
                {
                    operands.Add(new Operand(Kind.Other));
                    continue;
                }
                switch (word)
                {
                    case "Tf":
                        if (operands.LastOrDefault(o => o.Kind == Kind.Name).Name is { } font && !selectFont(font))
                        {
                            return false;
                        }
                        break;
                    case "Tj" or "TJ" or "'" or "\"":
                        foreach (var text in operands.Where(o => o.Kind == Kind.String))
                        {
                            show(text.Bytes!);
                        }
                        break;
                    case "ID":
                        if (!SkipInlineImage(content, ref i))
                        {
                            return false;
                        }
                        break;
                }
                operands.Clear();
            }
        }
        return true;
    }

    private static bool IsWhite(byte c) => c is 0 or 9 or 10 or 12 or 13 or 32;

    private static bool IsDelimiter(byte c) => c is (byte)'(' or (byte)')' or (byte)'<' or (byte)'>' or (byte)'[' or (byte)']'
        or (byte)'{' or (byte)'}' or (byte)'/' or (byte)'%';

    private static string DecodeName(ReadOnlySpan<byte> raw)
    {
        var name = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == '#' && i + 2 < raw.Length && IsHex(raw[i + 1]) && IsHex(raw[i + 2]))
            {
                name.Append((char)(HexValue(raw[i + 1]) << 4 | HexValue(raw[i + 2])));
                i += 2;
            }
            else
            {
                name.Append((char)raw[i]);
            }
        }
        return name.ToString();
    }

    /// <summary>A literal string's bytes, escapes resolved; <paramref name="i"/> ends past its closing parenthesis.</summary>
    private static byte[] Literal(byte[] content, ref int i)
    {
        var bytes = new List<byte>();
        var depth = 0;
        for (i++; i < content.Length; i++)
        {
            var c = content[i];
            if (c == '\\' && i + 1 < content.Length)
            {
                var next = content[++i];
                switch (next)
                {
                    case (byte)'n': bytes.Add(10); break;
                    case (byte)'r': bytes.Add(13); break;
                    case (byte)'t': bytes.Add(9); break;
                    case (byte)'b': bytes.Add(8); break;
                    case (byte)'f': bytes.Add(12); break;
                    case (byte)'\r':
                        if (i + 1 < content.Length && content[i + 1] == '\n')
                        {
                            i++;
                        }
                        break;
                    case (byte)'\n':
                        break;
                    case >= (byte)'0' and <= (byte)'7':
                        var value = next - '0';
                        for (var digits = 1; digits < 3 && i + 1 < content.Length && content[i + 1] is >= (byte)'0' and <= (byte)'7'; digits++)
                        {
                            value = value * 8 + content[++i] - '0';
                        }
                        bytes.Add((byte)value);
                        break;
                    default:
                        bytes.Add(next);
                        break;
                }
            }
            else if (c == '(')
            {
                depth++;
                bytes.Add(c);
            }
            else if (c == ')')
            {
                if (depth-- == 0)
                {
                    i++;
                    break;
                }
                bytes.Add(c);
            }
            else
            {
                bytes.Add(c);
            }
        }
        return [.. bytes];
    }

    /// <summary>A hex string's bytes (an odd last digit counts as followed by 0); <paramref name="i"/> ends past its '>'.</summary>
    private static byte[] Hex(byte[] content, ref int i)
    {
        var bytes = new List<byte>();
        var high = -1;
        for (i++; i < content.Length && content[i] != '>'; i++)
        {
            if (!IsHex(content[i]))
            {
                continue;
            }
            if (high < 0)
            {
                high = HexValue(content[i]);
            }
            else
            {
                bytes.Add((byte)(high << 4 | HexValue(content[i])));
                high = -1;
            }
        }
        if (high >= 0)
        {
            bytes.Add((byte)(high << 4));
        }
        i++;
        return [.. bytes];
    }

    private static bool IsHex(byte c) => c is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static int HexValue(byte c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>Skips an inline image's data, from just after <c>ID</c> to past the <c>EI</c> that ends it; false when none does.</summary>
    private static bool SkipInlineImage(byte[] content, ref int i)
    {
        // The data starts after one white-space byte and ends at "EI" between white space (or the stream's end): a
        // binary image could hold those three bytes too, so the first one followed by something that reads as an
        // operator or the end is taken, as viewers do.
        for (var at = i + 1; at + 1 < content.Length; at++)
        {
            if (content[at] == 'E' && content[at + 1] == 'I' && IsWhite(content[at - 1])
                && (at + 2 == content.Length || IsWhite(content[at + 2]) || IsDelimiter(content[at + 2])))
            {
                i = at + 2;
                return true;
            }
        }
        return false;
    }
}
