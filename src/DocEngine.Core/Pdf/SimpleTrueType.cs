using System.Buffers.Binary;
using PdfSharp.Pdf;
using UglyToad.PdfPig.Fonts;
using UglyToad.PdfPig.Fonts.Encodings;
using UglyToad.PdfPig.Fonts.TrueType;
using UglyToad.PdfPig.Fonts.TrueType.Parser;
using PigEncoding = UglyToad.PdfPig.Fonts.Encodings.Encoding;

namespace DocEngine.Core.Pdf;

/// <summary>
/// Which glyphs of a simple TrueType font (one byte a character) the codes shown with it can draw. Viewers differ in
/// how they go from code to glyph (PDF 32000-1 9.6.6.4: the Microsoft symbol cmap at 0xF000 + code, the Macintosh
/// cmap by code, or the glyph name of the font's encoding through Unicode or the <c>post</c> table), so every way is
/// taken and their glyphs kept together: a glyph kept that no viewer draws costs a few bytes, one missing costs a letter.
/// </summary>
internal static class SimpleTrueType
{
    private static readonly PigEncoding[] Standard = [WinAnsiEncoding.Instance, MacRomanEncoding.Instance, StandardEncoding.Instance];

    /// <summary>The glyph numbers <paramref name="codes"/> may draw; null when the program's cmap cannot be read whole.</summary>
    public static HashSet<uint>? Glyphs(byte[] program, PdfDictionary font, IEnumerable<int> codes)
    {
        TrueTypeFont parsed;
        try
        {
            parsed = TrueTypeFontParser.Parse(new TrueTypeDataBytes(program));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null; // PdfPig's parser throws what it meets (format, range, end of data): leave the font whole
        }
        var cmap = parsed.TableRegister.CMapTable;
        // Every subtable must have been read: one skipped (a format PdfPig does not know) could be the one a viewer uses.
        if (cmap is null || !parsed.TableHeaders.TryGetValue("cmap", out var header) || header.Offset + 4 > program.Length
            || BinaryPrimitives.ReadUInt16BigEndian(program.AsSpan((int)header.Offset + 2)) != cmap.SubTables.Count)
        {
            return null;
        }
        var names = parsed.TableRegister.PostScriptTable?.GlyphNames ?? [];
        var differences = Differences(font);
        var glyphs = new HashSet<uint> { 0 };
        foreach (var code in codes)
        {
            glyphs.Add((uint)code); // a symbolic font without a usable cmap: some viewers take the code as the glyph number
            foreach (var key in new[] { code, 0xF000 | code, 0xF100 | code, 0xF200 | code })
            {
                Look(cmap.SubTables, key, glyphs);
            }
            foreach (var name in NamesOf(code, differences))
            {
                for (var glyph = 0; glyph < names.Count; glyph++)
                {
                    if (names[glyph] == name)
                    {
                        glyphs.Add((uint)glyph);
                    }
                }
                if (MacRomanEncoding.Instance.ContainsName(name))
                {
                    Look(cmap.SubTables, MacRomanEncoding.Instance.GetCode(name), glyphs);
                }
                if (GlyphList.AdobeGlyphList.NameToUnicode(name) is { Length: > 0 } text && char.ConvertToUtf32(text, 0) is var unicode)
                {
                    Look(cmap.SubTables, unicode, glyphs);
                    Look(cmap.SubTables, 0xF000 | unicode & 0xFF, glyphs);
                }
            }
        }
        return glyphs;
    }

    private static void Look(IEnumerable<UglyToad.PdfPig.Fonts.TrueType.Tables.CMapSubTables.ICMapSubTable> subtables, int key, HashSet<uint> glyphs)
    {
        foreach (var subtable in subtables)
        {
            if (subtable.CharacterCodeToGlyphIndex(key) is > 0 and var glyph)
            {
                glyphs.Add((uint)glyph);
            }
        }
    }

    /// <summary>The glyph names a code may stand for: the font's own differences, and each standard encoding's name.</summary>
    private static IEnumerable<string> NamesOf(int code, Dictionary<int, string> differences)
    {
        if (differences.TryGetValue(code, out var own))
        {
            yield return own;
        }
        foreach (var encoding in Standard)
        {
            if (encoding.ContainsCode(code))
            {
                yield return encoding.GetName(code);
            }
        }
    }

    /// <summary>The font's <c>/Encoding /Differences</c>: code to glyph name.</summary>
    private static Dictionary<int, string> Differences(PdfDictionary font)
    {
        var map = new Dictionary<int, string>();
        if (font.Elements.GetDictionary("/Encoding")?.Elements.GetArray("/Differences") is not { } differences)
        {
            return map;
        }
        var code = 0;
        foreach (var item in differences.Elements)
        {
            switch (item)
            {
                case PdfInteger number:
                    code = number.Value;
                    break;
                case PdfName name:
                    map[code++ & 0xFF] = name.Value.TrimStart('/');
                    break;
            }
        }
        return map;
    }
}
