using System.Globalization;
using System.Text;

namespace DocEngine.Core.Signatures.Syntax;

/// <summary>
/// Reads PDF objects from bytes (ISO 32000-2 §7.2–7.3). Strict where signatures need it (string positions, exact
/// tokens), bounded everywhere: nesting deeper than <see cref="MaxDepth"/> is refused rather than followed.
/// </summary>
internal sealed class PdfParser(ReadOnlyMemory<byte> data, bool positionsAreFileOffsets = true)
{
    public const int MaxDepth = 64;

    private readonly ReadOnlyMemory<byte> _data = data;

    public int Position { get; set; }

    public int Length => _data.Length;

    private ReadOnlySpan<byte> Span => _data.Span;

    public static bool IsWhitespace(byte b) => b is 0 or 9 or 10 or 12 or 13 or 32;

    public static bool IsDelimiter(byte b) => b is (byte)'(' or (byte)')' or (byte)'<' or (byte)'>' or (byte)'[' or (byte)']'
        or (byte)'{' or (byte)'}' or (byte)'/' or (byte)'%';

    /// <summary>Skips whitespace and comments.</summary>
    public void SkipWhitespace()
    {
        var span = Span;
        while (Position < span.Length)
        {
            if (IsWhitespace(span[Position]))
            {
                Position++;
            }
            else if (span[Position] == '%')
            {
                while (Position < span.Length && span[Position] is not (byte)'\n' and not (byte)'\r')
                {
                    Position++;
                }
            }
            else
            {
                return;
            }
        }
    }

    /// <summary>Reads a keyword or number token (regular characters up to a delimiter or whitespace).</summary>
    public string ReadToken()
    {
        SkipWhitespace();
        var span = Span;
        var start = Position;
        while (Position < span.Length && !IsWhitespace(span[Position]) && !IsDelimiter(span[Position]))
        {
            Position++;
        }
        return Encoding.Latin1.GetString(span[start..Position]);
    }

    /// <summary>Whether the next token is <paramref name="keyword"/>; consumes it when it is.</summary>
    public bool TryKeyword(string keyword)
    {
        var saved = Position;
        if (ReadToken() == keyword)
        {
            return true;
        }
        Position = saved;
        return false;
    }

    /// <summary>Reads a non-negative integer token, or null.</summary>
    public long? TryReadInteger()
    {
        var saved = Position;
        var token = ReadToken();
        if (token.Length > 0 && token.Length < 19 && token.All(char.IsAsciiDigit))
        {
            return long.Parse(token, CultureInfo.InvariantCulture);
        }
        Position = saved;
        return null;
    }

    /// <summary>Reads one object (a reference when "N G R" follows); streams are read by the caller that knows lengths.</summary>
    public PdfObject ReadObject(int depth = 0)
    {
        if (depth > MaxDepth)
        {
            throw new PdfSyntaxException($"objects are nested more than {MaxDepth} levels deep");
        }
        SkipWhitespace();
        var span = Span;
        if (Position >= span.Length)
        {
            throw new PdfSyntaxException("the file ends in the middle of an object");
        }
        switch (span[Position])
        {
            case (byte)'/':
                return ReadName();
            case (byte)'(':
                return ReadLiteralString();
            case (byte)'[':
                {
                    Position++;
                    var items = new List<PdfObject>();
                    while (true)
                    {
                        SkipWhitespace();
                        if (Position >= Span.Length)
                        {
                            throw new PdfSyntaxException("an array is not closed");
                        }
                        if (Span[Position] == ']')
                        {
                            Position++;
                            return new PdfArray(items);
                        }
                        items.Add(ReadObject(depth + 1));
                    }
                }
            case (byte)'<' when Position + 1 < span.Length && span[Position + 1] == '<':
                return ReadDictionary(depth);
            case (byte)'<':
                return ReadHexString();
            default:
                return ReadNumberOrKeyword();
        }
    }

    private PdfDictionary ReadDictionary(int depth)
    {
        Position += 2;
        var entries = new Dictionary<string, PdfObject>(StringComparer.Ordinal);
        List<(string, PdfObject)>? duplicates = null;
        while (true)
        {
            SkipWhitespace();
            var span = Span;
            if (Position + 1 >= span.Length)
            {
                throw new PdfSyntaxException("a dictionary is not closed");
            }
            if (span[Position] == '>' && span[Position + 1] == '>')
            {
                Position += 2;
                return new PdfDictionary(entries, duplicates);
            }
            if (span[Position] != '/')
            {
                throw new PdfSyntaxException($"a dictionary key is not a name at byte {Position}");
            }
            var key = ReadName().Value;
            // A repeated key keeps its first value, as most readers do; the later ones are kept aside, since some readers take them.
            var value = ReadObject(depth + 1);
            if (!entries.TryAdd(key, value) && (duplicates ??= []).Count < 100)
            {
                duplicates.Add((key, value));
            }
        }
    }

    private PdfName ReadName()
    {
        var span = Span;
        Position++;
        var bytes = new List<byte>();
        while (Position < span.Length && !IsWhitespace(span[Position]) && !IsDelimiter(span[Position]))
        {
            if (span[Position] == '#' && Position + 2 < span.Length && IsHex(span[Position + 1]) && IsHex(span[Position + 2]))
            {
                bytes.Add((byte)(HexValue(span[Position + 1]) * 16 + HexValue(span[Position + 2])));
                Position += 3;
            }
            else
            {
                bytes.Add(span[Position++]);
            }
        }
        return new PdfName(Encoding.UTF8.GetString([.. bytes]));
    }

    private PdfString ReadLiteralString()
    {
        var span = Span;
        var start = Position++;
        var bytes = new List<byte>();
        var nesting = 1;
        while (true)
        {
            if (Position >= span.Length)
            {
                throw new PdfSyntaxException("a string is not closed");
            }
            var b = span[Position++];
            switch (b)
            {
                case (byte)'(':
                    nesting++;
                    bytes.Add(b);
                    break;
                case (byte)')':
                    if (--nesting == 0)
                    {
                        return new PdfString([.. bytes], false, Offset(start), Offset(Position));
                    }
                    bytes.Add(b);
                    break;
                case (byte)'\\' when Position < span.Length:
                    ReadEscape(span, bytes);
                    break;
                default:
                    bytes.Add(b);
                    break;
            }
        }
    }

    private void ReadEscape(ReadOnlySpan<byte> span, List<byte> bytes)
    {
        var e = span[Position++];
        switch (e)
        {
            case (byte)'n': bytes.Add(10); break;
            case (byte)'r': bytes.Add(13); break;
            case (byte)'t': bytes.Add(9); break;
            case (byte)'b': bytes.Add(8); break;
            case (byte)'f': bytes.Add(12); break;
            case (byte)'\r':
                if (Position < span.Length && span[Position] == '\n')
                {
                    Position++;
                }
                break;
            case (byte)'\n':
                break;
            case >= (byte)'0' and <= (byte)'7':
                var value = e - '0';
                for (var i = 0; i < 2 && Position < span.Length && span[Position] is >= (byte)'0' and <= (byte)'7'; i++)
                {
                    value = value * 8 + (span[Position++] - '0');
                }
                bytes.Add((byte)value);
                break;
            default:
                bytes.Add(e);
                break;
        }
    }

    private PdfString ReadHexString()
    {
        var span = Span;
        var start = Position++;
        var bytes = new List<byte>();
        var high = -1;
        while (true)
        {
            if (Position >= span.Length)
            {
                throw new PdfSyntaxException("a hex string is not closed");
            }
            var b = span[Position++];
            if (b == '>')
            {
                if (high >= 0)
                {
                    bytes.Add((byte)(high * 16));
                }
                return new PdfString([.. bytes], true, Offset(start), Offset(Position));
            }
            if (IsWhitespace(b))
            {
                continue;
            }
            if (!IsHex(b))
            {
                throw new PdfSyntaxException($"a hex string holds a character that is not a hex digit at byte {Position - 1}");
            }
            if (high < 0)
            {
                high = HexValue(b);
            }
            else
            {
                bytes.Add((byte)(high * 16 + HexValue(b)));
                high = -1;
            }
        }
    }

    private PdfObject ReadNumberOrKeyword()
    {
        var start = Position;
        var token = ReadToken();
        switch (token)
        {
            case "":
                throw new PdfSyntaxException($"unexpected character '{(char)Span[Position]}' at byte {Offset(Position)}");
            case "true":
                return new PdfBoolean(true);
            case "false":
                return new PdfBoolean(false);
            case "null":
                return PdfNull.Instance;
        }
        if (!double.TryParse(token, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            throw new PdfSyntaxException($"unexpected token '{Truncate(token)}' at byte {Offset(start)}");
        }
        var isInteger = !token.Contains('.');
        if (isInteger && value >= 0 && value <= int.MaxValue)
        {
            // "N G R" is a reference; anything else leaves the position after the first number.
            var afterNumber = Position;
            if (TryReadInteger() is { } generation and <= 65535 && TryKeyword("R"))
            {
                return new PdfReference((int)value, (int)generation);
            }
            Position = afterNumber;
        }
        return new PdfNumber(value, isInteger);
    }

    private long Offset(int position) => positionsAreFileOffsets ? position : -1;

    private static string Truncate(string token) => token.Length > 20 ? token[..20] + "…" : token;

    public static bool IsHex(byte b) => b is >= (byte)'0' and <= (byte)'9' or >= (byte)'a' and <= (byte)'f' or >= (byte)'A' and <= (byte)'F';

    private static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;
}
