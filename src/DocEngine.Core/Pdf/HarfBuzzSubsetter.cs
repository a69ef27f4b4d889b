using System.Runtime.InteropServices;

namespace DocEngine.Core.Pdf;

/// <summary>
/// HarfBuzz's font subsetter (hb-subset, the one Chrome and Google Fonts use), from the native library the
/// HarfBuzzSharp.NativeAssets package ships: keeps the glyphs asked for and empties the rest, every glyph keeping its
/// number, so a PDF that addresses glyphs by number (a CID font with an identity map) needs nothing else changed.
/// </summary>
internal static partial class HarfBuzzSubsetter
{
    private const string Library = "libHarfBuzzSharp";
    private const uint MemoryModeDuplicate = 0;
    private const uint RetainGlyphIds = 0x2;
    private const uint NotdefOutline = 0x40;
    private const uint PassThroughUnrecognized = 0x20;
    private const int NoSubsetTables = 2;
    private const int DropTables = 3;

    // Tables a PDF renderer never reads from an embedded CID font: the text was shaped when the PDF was written.
    private static readonly string[] Dropped = ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "morx", "mort", "feat", "kern"];

    // Kept whole for a simple font, whose codes reach glyphs through the cmap or the glyph names (numbers are unchanged).
    private static readonly string[] Lookups = ["cmap", "post"];

    private static readonly Lazy<bool> Loadable = new(() =>
    {
        try
        {
            return NativeLibrary.TryLoad(Library, typeof(HarfBuzzSubsetter).Assembly, null, out _);
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException)
        {
            return false;
        }
    });

    /// <summary>True when the native library loads on this machine.</summary>
    public static bool IsAvailable => Loadable.Value;

    /// <summary>
    /// A TrueType or OpenType font program with only <paramref name="glyphs"/> (and glyph 0) drawn, every glyph at its
    /// old number; null when HarfBuzz cannot read or subset it. With <paramref name="keepLookups"/> (a simple font) the
    /// cmap and the glyph names stay whole; without (a CID font, drawn by glyph number), the cmap keeps the characters
    /// of the glyphs kept and the names go.
    /// </summary>
    public static unsafe byte[]? Subset(byte[] font, IReadOnlySet<uint> glyphs, bool keepLookups)
    {
        if (!IsAvailable || font.Length == 0)
        {
            return null;
        }
        nint blob, face = 0, input = 0, subset = 0, result = 0;
        fixed (byte* data = font)
        {
            blob = hb_blob_create(data, (uint)font.Length, MemoryModeDuplicate, 0, 0);
        }
        try
        {
            face = hb_face_create(blob, 0);
            if (hb_face_get_glyph_count(face) == 0)
            {
                return null;
            }
            input = hb_subset_input_create_or_fail();
            if (input == 0)
            {
                return null;
            }
            var keep = hb_subset_input_glyph_set(input);
            hb_set_add(keep, 0);
            foreach (var glyph in glyphs)
            {
                hb_set_add(keep, glyph);
            }
            hb_subset_input_set_flags(input, RetainGlyphIds | NotdefOutline | PassThroughUnrecognized);
            AddTags(hb_subset_input_set(input, DropTables), Dropped);
            if (keepLookups)
            {
                AddTags(hb_subset_input_set(input, NoSubsetTables), Lookups);
            }
            else
            {
                AddCharactersOf(face, glyphs, hb_subset_input_unicode_set(input));
            }
            subset = hb_subset_or_fail(face, input);
            if (subset == 0)
            {
                return null;
            }
            result = hb_face_reference_blob(subset);
            var bytes = hb_blob_get_data(result, out var length);
            return bytes == null || length == 0 ? null : new ReadOnlySpan<byte>(bytes, (int)length).ToArray();
        }
        finally
        {
            hb_blob_destroy(result);
            hb_face_destroy(subset);
            hb_subset_input_destroy(input);
            hb_face_destroy(face);
            hb_blob_destroy(blob);
        }
    }

    /// <summary>Adds to <paramref name="characters"/> every character the face's cmap maps to one of <paramref name="glyphs"/>.</summary>
    private static unsafe void AddCharactersOf(nint face, IReadOnlySet<uint> glyphs, nint characters)
    {
        var all = hb_set_create();
        var font = hb_font_create(face);
        try
        {
            hb_face_collect_unicodes(face, all);
            uint character = uint.MaxValue; // HB_SET_VALUE_INVALID: start
            while (hb_set_next(all, &character) != 0)
            {
                uint glyph;
                if (hb_font_get_nominal_glyph(font, character, &glyph) != 0 && glyphs.Contains(glyph))
                {
                    hb_set_add(characters, character);
                }
            }
        }
        finally
        {
            hb_font_destroy(font);
            hb_set_destroy(all);
        }
    }

    private static void AddTags(nint set, string[] tags)
    {
        foreach (var tag in tags)
        {
            hb_set_add(set, (uint)(tag[0] << 24 | tag[1] << 16 | tag[2] << 8 | tag[3]));
        }
    }

    [LibraryImport(Library)]
    private static unsafe partial nint hb_blob_create(byte* data, uint length, uint mode, nint userData, nint destroy);

    [LibraryImport(Library)]
    private static unsafe partial byte* hb_blob_get_data(nint blob, out uint length);

    [LibraryImport(Library)]
    private static partial void hb_blob_destroy(nint blob);

    [LibraryImport(Library)]
    private static partial nint hb_face_create(nint blob, uint index);

    [LibraryImport(Library)]
    private static partial uint hb_face_get_glyph_count(nint face);

    [LibraryImport(Library)]
    private static partial nint hb_face_reference_blob(nint face);

    [LibraryImport(Library)]
    private static partial void hb_face_destroy(nint face);

    [LibraryImport(Library)]
    private static partial nint hb_subset_input_create_or_fail();

    [LibraryImport(Library)]
    private static partial nint hb_subset_input_glyph_set(nint input);

    [LibraryImport(Library)]
    private static partial nint hb_subset_input_set(nint input, int which);

    [LibraryImport(Library)]
    private static partial void hb_subset_input_set_flags(nint input, uint flags);

    [LibraryImport(Library)]
    private static partial void hb_subset_input_destroy(nint input);

    [LibraryImport(Library)]
    private static partial nint hb_subset_or_fail(nint face, nint input);

    [LibraryImport(Library)]
    private static partial void hb_set_add(nint set, uint codepoint);

    [LibraryImport(Library)]
    private static partial nint hb_set_create();

    [LibraryImport(Library)]
    private static partial void hb_set_destroy(nint set);

    [LibraryImport(Library)]
    private static unsafe partial int hb_set_next(nint set, uint* codepoint);

    [LibraryImport(Library)]
    private static partial void hb_face_collect_unicodes(nint face, nint set);

    [LibraryImport(Library)]
    private static partial nint hb_font_create(nint face);

    [LibraryImport(Library)]
    private static partial void hb_font_destroy(nint font);

    [LibraryImport(Library)]
    private static unsafe partial int hb_font_get_nominal_glyph(nint font, uint unicode, uint* glyph);

    [LibraryImport(Library)]
    private static partial nint hb_subset_input_unicode_set(nint input);
}
