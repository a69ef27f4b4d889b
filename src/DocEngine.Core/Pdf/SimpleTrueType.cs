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
        // Every subtable must be read: one skipped could be the one a viewer uses. PdfPig reads formats 0, 4 and 6; 12 and
        // 13 (groups of characters) are read here; 14 (variation sequences) maps pairs of characters, which no code reaches.
        if (cmap is null || !parsed.TableHeaders.TryGetValue("cmap", out var header)
            || Subtables.Read(program, (int)header.Offset) is not { } raw || raw.Others != cmap.SubTables.Count)
        {
            return null;
        }
        var named = (parsed.TableRegister.PostScriptTable?.GlyphNames ?? []).Select((name, glyph) => (name, glyph)).ToLookup(p => p.name, p => (uint)p.glyph, StringComparer.Ordinal);
        var differences = Differences(font);
        var glyphs = new HashSet<uint> { 0 };
        foreach (var code in codes)
        {
            glyphs.Add((uint)code); // a symbolic font without a usable cmap: some viewers take the code as the glyph number
            foreach (var key in new[] { code, 0xF000 | code, 0xF100 | code, 0xF200 | code })
            {
                Look(cmap.SubTables, raw, key, glyphs);
            }
            foreach (var name in NamesOf(code, differences))
            {
                glyphs.UnionWith(named[name]);
                if (MacRomanEncoding.Instance.ContainsName(name))
                {
                    Look(cmap.SubTables, raw, MacRomanEncoding.Instance.GetCode(name), glyphs);
                }
                if (GlyphList.AdobeGlyphList.NameToUnicode(name) is { Length: > 0 } text && char.ConvertToUtf32(text, 0) is var unicode)
                {
                    Look(cmap.SubTables, raw, unicode, glyphs);
                    Look(cmap.SubTables, raw, 0xF000 | unicode & 0xFF, glyphs);
                }
            }
        }
        return glyphs;
    }

    private static void Look(IEnumerable<UglyToad.PdfPig.Fonts.TrueType.Tables.CMapSubTables.ICMapSubTable> subtables, Subtables raw, int key, HashSet<uint> glyphs)
    {
        foreach (var subtable in subtables)
        {
            if (subtable.CharacterCodeToGlyphIndex(key) is > 0 and var glyph)
            {
                glyphs.Add((uint)glyph);
            }
        }
        foreach (var (first, last, glyph, constant) in raw.Groups)
        {
            if (key >= first && key <= last)
            {
                glyphs.Add(constant ? glyph : glyph + (uint)key - first);
            }
        }
    }

    /// <summary>
    /// A cmap's subtables as listed: the groups of its format 12 and 13 subtables (first and last character, glyph, and
    /// whether every character of the group maps to that one glyph), and how many subtables are of another format than
    /// 12, 13 and 14 (those PdfPig reads).
    /// </summary>
    private sealed record Subtables(List<(uint First, uint Last, uint Glyph, bool Constant)> Groups, int Others)
    {
        private const int MaxGroups = 1 << 20;

        /// <summary>The cmap at <paramref name="offset"/>; null when a part of it lies outside the program.</summary>
        public static Subtables? Read(byte[] program, int offset)
        {
            var bytes = program.AsSpan();
            if (offset < 0 || offset + 4 > bytes.Length)
            {
                return null;
            }
            var groups = new List<(uint, uint, uint, bool)>();
            var others = 0;
            var count = BinaryPrimitives.ReadUInt16BigEndian(bytes[(offset + 2)..]);
            for (var i = 0; i < count; i++)
            {
                var record = offset + 4 + 8 * i;
                if (record + 8 > bytes.Length)
                {
                    return null;
                }
                var at = offset + (long)BinaryPrimitives.ReadUInt32BigEndian(bytes[(record + 4)..]);
                if (at + 16 > bytes.Length)
                {
                    return null;
                }
                var format = BinaryPrimitives.ReadUInt16BigEndian(bytes[(int)at..]);
                if (format is not (12 or 13))
                {
                    others += format == 14 ? 0 : 1;
                    continue;
                }
                var number = BinaryPrimitives.ReadUInt32BigEndian(bytes[((int)at + 12)..]);
                if (number > MaxGroups || at + 16 + 12L * number > bytes.Length)
                {
                    return null;
                }
                for (var g = 0; g < number; g++)
                {
                    var group = bytes[((int)at + 16 + 12 * g)..];
                    groups.Add((BinaryPrimitives.ReadUInt32BigEndian(group), BinaryPrimitives.ReadUInt32BigEndian(group[4..]),
                        BinaryPrimitives.ReadUInt32BigEndian(group[8..]), format == 13));
                }
            }
            return new Subtables(groups, others);
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
