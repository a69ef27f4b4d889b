using System.Text;

namespace DocEngine.Core.Signatures.Syntax;

/// <summary>
/// A PDF object exactly as written in one revision (ISO 32000-2 §7.3). Signature analysis compares revisions object by
/// object, so this model keeps what the bytes say: references stay references, strings keep their file position.
/// </summary>
internal abstract class PdfObject
{
    /// <summary>Structural equality: the same value, with references compared by number (streams by their raw bytes).</summary>
    public static bool Same(PdfObject? a, PdfObject? b, ReadOnlySpan<byte> file)
    {
        switch (a, b)
        {
            case (null, null):
                return true;
            case (PdfNumber x, PdfNumber y):
                return x.Value == y.Value;
            case (PdfName x, PdfName y):
                return x.Value == y.Value;
            case (PdfString x, PdfString y):
                return x.Bytes.AsSpan().SequenceEqual(y.Bytes);
            case (PdfBoolean x, PdfBoolean y):
                return x.Value == y.Value;
            case (PdfNull, PdfNull):
                return true;
            case (PdfReference x, PdfReference y):
                return x.Number == y.Number && x.Generation == y.Generation;
            case (PdfArray x, PdfArray y):
                if (x.Items.Count != y.Items.Count)
                {
                    return false;
                }
                for (var i = 0; i < x.Items.Count; i++)
                {
                    if (!Same(x.Items[i], y.Items[i], file))
                    {
                        return false;
                    }
                }
                return true;
            case (PdfStream x, PdfStream y):
                return Same(x.Dictionary, y.Dictionary, file) && x.Data(file).SequenceEqual(y.Data(file));
            case (PdfDictionary x, PdfDictionary y):
                if (x.Entries.Count != y.Entries.Count)
                {
                    return false;
                }
                foreach (var (key, value) in x.Entries)
                {
                    if (!y.Entries.TryGetValue(key, out var other) || !Same(value, other, file))
                    {
                        return false;
                    }
                }
                return true;
            default:
                return false;
        }
    }
}

internal sealed class PdfNull : PdfObject
{
    public static readonly PdfNull Instance = new();
}

internal sealed class PdfBoolean(bool value) : PdfObject
{
    public bool Value { get; } = value;
}

internal sealed class PdfNumber(double value, bool isInteger) : PdfObject
{
    public double Value { get; } = value;

    public bool IsInteger { get; } = isInteger;

    /// <summary>The value as a whole number, or null when it is not one (or does not fit).</summary>
    public long? AsLong => IsInteger && Math.Abs(Value) < 9e15 ? (long)Value : null;
}

internal sealed class PdfName(string value) : PdfObject
{
    public string Value { get; } = value;

    public override string ToString() => "/" + Value;
}

/// <summary>A string with where it sits in the file, so a signature's /Contents can be matched to its ByteRange gap.</summary>
internal sealed class PdfString(byte[] bytes, bool isHex, long start, long end) : PdfObject
{
    /// <summary>The string's bytes (decrypted in place when the file is encrypted).</summary>
    public byte[] Bytes { get; set; } = bytes;

    public bool IsHex { get; } = isHex;

    /// <summary>File offset of the opening delimiter; -1 inside an object stream.</summary>
    public long Start { get; } = start;

    /// <summary>File offset just after the closing delimiter; -1 inside an object stream.</summary>
    public long End { get; } = end;

    /// <summary>The text of a PDF text string: UTF-16BE with a BOM, UTF-8 with a BOM, else PDFDocEncoding (read as Latin-1).</summary>
    public string Text => Bytes switch
    {
        [0xFE, 0xFF, ..] => Encoding.BigEndianUnicode.GetString(Bytes, 2, Bytes.Length - 2),
        [0xEF, 0xBB, 0xBF, ..] => Encoding.UTF8.GetString(Bytes, 3, Bytes.Length - 3),
        _ => Encoding.Latin1.GetString(Bytes),
    };
}

internal sealed class PdfArray(List<PdfObject> items) : PdfObject
{
    public List<PdfObject> Items { get; } = items;
}

internal class PdfDictionary(Dictionary<string, PdfObject> entries, List<(string Key, PdfObject Value)>? duplicates = null) : PdfObject
{
    public Dictionary<string, PdfObject> Entries { get; } = entries;

    /// <summary>Keys written more than once, with their later values (<see cref="Entries"/> keeps the first); readers disagree on which wins.</summary>
    public List<(string Key, PdfObject Value)>? Duplicates { get; } = duplicates;

    public PdfObject? this[string key] => Entries.GetValueOrDefault(key);

    /// <summary>The name value of <paramref name="key"/>, or null.</summary>
    public string? Name(string key) => (this[key] as PdfName)?.Value;
}

/// <summary>A stream: its dictionary and where its raw (still encoded) data lies in the file or in a decoded buffer.</summary>
internal sealed class PdfStream(PdfDictionary dictionary, long dataStart, long dataLength) : PdfDictionary(dictionary.Entries, dictionary.Duplicates)
{
    public PdfDictionary Dictionary { get; } = dictionary;

    public long DataStart { get; } = dataStart;

    public long DataLength { get; } = dataLength;

    public ReadOnlySpan<byte> Data(ReadOnlySpan<byte> file) => file.Slice((int)DataStart, (int)DataLength);
}

internal sealed class PdfReference(int number, int generation) : PdfObject
{
    public int Number { get; } = number;

    public int Generation { get; } = generation;

    public override string ToString() => $"{Number} {Generation} R";
}

/// <summary>The file cannot be read as a PDF at the point named; the sentence says what is wrong.</summary>
internal sealed class PdfSyntaxException(string message) : Exception(message);
