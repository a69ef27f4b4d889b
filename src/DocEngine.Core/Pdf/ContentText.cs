using System.Globalization;
using DocEngine.Core.Signatures.Syntax;

namespace DocEngine.Core.Pdf;

/// <summary>
/// Reads a content stream for what font subsetting needs: the font each <c>Tf</c> selects and the bytes each text
/// operator (<c>Tj</c>, <c>TJ</c>, <c>'</c>, <c>"</c>) shows. Operands are read by the signature analysis's
/// <see cref="PdfParser"/>; everything else is skipped, inline images included.
/// </summary>
internal static class ContentText
{
    /// <summary>
    /// Calls <paramref name="selectFont"/> with each selected font's resource name (without the slash; false stops the
    /// read) and <paramref name="show"/> with each shown string's bytes. False when stopped, or when the stream cannot be
    /// read (an unclosed string or array, an inline image without its end).
    /// </summary>
    public static bool Read(byte[] content, CancellationToken cancellationToken, Func<string, bool> selectFont, Action<byte[]> show)
    {
        var parser = new PdfParser(content, positionsAreFileOffsets: false);
        var operands = new List<PdfObject>();
        try
        {
            for (var count = 0; ; count++)
            {
                if ((count & 0xFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
                parser.SkipWhitespace();
                if (parser.Position >= content.Length)
                {
                    return true;
                }
                if (content[parser.Position] is (byte)'/' or (byte)'(' or (byte)'<' or (byte)'[')
                {
                    operands.Add(parser.ReadObject());
                    continue;
                }
                var word = parser.ReadToken();
                if (word.Length == 0)
                {
                    parser.Position++; // a stray delimiter (')', ']', '>', '{', '}'): viewers skip it too
                    continue;
                }
                if (word is "true" or "false" or "null" || double.TryParse(word, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                {
                    operands.Add(PdfNull.Instance);
                    continue;
                }
                switch (word)
                {
                    case "Tf":
                        if (operands.OfType<PdfName>().LastOrDefault() is { } font && !selectFont(font.Value))
                        {
                            return false;
                        }
                        break;
                    case "Tj" or "TJ" or "'" or "\"":
                        foreach (var text in operands.SelectMany(o => o is PdfArray array ? array.Items : [o]).OfType<PdfString>())
                        {
                            show(text.Bytes);
                        }
                        break;
                    case "ID":
                        if (SkipInlineImage(content, parser.Position) is not { } end)
                        {
                            return false;
                        }
                        parser.Position = end;
                        break;
                }
                operands.Clear();
            }
        }
        catch (PdfSyntaxException)
        {
            return false;
        }
    }

    /// <summary>Where an inline image's data ends (past its <c>EI</c>), its data starting after <c>ID</c> at <paramref name="at"/>; null when nothing ends it.</summary>
    private static int? SkipInlineImage(byte[] content, int at)
    {
        // The data starts after one white-space byte and ends at "EI" between white space (or the stream's end): a
        // binary image could hold those bytes too, so the first one followed by white space, a delimiter or the end is
        // taken, as viewers do.
        for (var i = at + 1; i + 1 < content.Length; i++)
        {
            if (content[i] == 'E' && content[i + 1] == 'I' && PdfParser.IsWhitespace(content[i - 1])
                && (i + 2 == content.Length || PdfParser.IsWhitespace(content[i + 2]) || PdfParser.IsDelimiter(content[i + 2])))
            {
                return i + 2;
            }
        }
        return null;
    }
}
