using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace DocEngine.Core.Previews;

/// <summary>
/// One image with a thumbnail of every page in a grid, each labelled with its page number: the picture a lawyer keeps
/// as proof of what was submitted. Below the grid, a caption names what was done to the document (converted from
/// Word, searchable text added, archival copy). Labels and caption are drawn from a built-in 5 × 7 pixel font (capital
/// letters, digits and punctuation), so no font library or font file is needed.
/// </summary>
public static class ContactSheet
{
    private const int Margin = 16;
    private const int Scale = 3;
    private const int CaptionColumns = 36; // the narrowest caption, in characters: a one-page sheet widens to it
    private const int LineHeight = 7 * Scale + 8;
    private const int LabelAdvance = 6; // columns from one character to the next: page numbers
    private const int CaptionAdvance = 7; // captions get two blank columns between letters, which reads (and OCRs) better

    /// <summary>
    /// Lays out <paramref name="thumbnails"/> (in page order), with the <paramref name="caption"/> sentences (wrapped,
    /// in capitals) below them, and encodes the sheet.
    /// </summary>
    public static RenderedPage Build(IReadOnlyList<RenderedPage> thumbnails, PreviewFormat format, IReadOnlyList<string>? caption = null)
    {
        var images = thumbnails.Select(t => Image.Load<Rgba32>(t.Bytes)).ToList();
        try
        {
            var columns = Math.Min(6, (int)Math.Ceiling(Math.Sqrt(images.Count)));
            var rows = (int)Math.Ceiling(images.Count / (double)columns);
            var cellWidth = images.Max(i => i.Width) + Margin;
            var labelHeight = 7 * Scale + 8;
            var cellHeight = images.Max(i => i.Height) + labelHeight + Margin;
            var width = Margin + columns * cellWidth;
            if (caption is { Count: > 0 })
            {
                width = Math.Max(width, 2 * Margin + CaptionColumns * CaptionAdvance * Scale);
            }
            var lines = Wrap(caption ?? [], (width - 2 * Margin) / (CaptionAdvance * Scale));
            using var sheet = new Image<Rgba32>(width, Margin + rows * cellHeight + lines.Count * LineHeight + (lines.Count > 0 ? Margin : 0), Color.White);
            for (var index = 0; index < images.Count; index++)
            {
                var (x, y) = (Margin + index % columns * cellWidth, Margin + index / columns * cellHeight);
                var thumbnail = images[index];
                var location = new Point(x + (cellWidth - Margin - thumbnail.Width) / 2, y);
                sheet.Mutate(s => s.DrawImage(thumbnail, location, 1f));
                Frame(sheet, location.X - 1, location.Y - 1, thumbnail.Width + 2, thumbnail.Height + 2);
                var label = thumbnails[index].Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var labelWidth = label.Length * LabelAdvance * Scale - Scale;
                DrawText(sheet, label, x + (cellWidth - Margin - labelWidth) / 2, y + thumbnail.Height + 6, LabelAdvance);
            }
            for (var line = 0; line < lines.Count; line++)
            {
                DrawText(sheet, lines[line], Margin, Margin + rows * cellHeight + line * LineHeight, CaptionAdvance);
            }
            return PreviewRenderer.Encode(0, sheet, format);
        }
        finally
        {
            images.ForEach(i => i.Dispose());
        }
    }

    private static void Frame(Image<Rgba32> sheet, int left, int top, int width, int height)
    {
        var grey = new Rgba32(160, 160, 160);
        for (var x = left; x < left + width; x++)
        {
            Set(sheet, x, top, grey);
            Set(sheet, x, top + height - 1, grey);
        }
        for (var y = top; y < top + height; y++)
        {
            Set(sheet, left, y, grey);
            Set(sheet, left + width - 1, y, grey);
        }
    }

    /// <summary>Each sentence in capitals, broken at spaces into lines of at most <paramref name="columns"/> characters.</summary>
    private static List<string> Wrap(IReadOnlyList<string> sentences, int columns)
    {
        var lines = new List<string>();
        foreach (var sentence in sentences)
        {
            var line = "";
            foreach (var word in sentence.ToUpperInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (line.Length > 0 && line.Length + 1 + word.Length > columns)
                {
                    lines.Add(line);
                    line = "";
                }
                line = line.Length == 0 ? word : line + " " + word;
            }
            if (line.Length > 0)
            {
                lines.Add(line);
            }
        }
        return lines;
    }

    /// <summary>Draws <paramref name="text"/> in the built-in font; characters it lacks are left blank.</summary>
    private static void DrawText(Image<Rgba32> sheet, string text, int left, int top, int advance)
    {
        var ink = new Rgba32(0, 0, 0);
        for (var d = 0; d < text.Length; d++)
        {
            if (!Glyphs.TryGetValue(text[d], out var glyph))
            {
                continue;
            }
            for (var row = 0; row < 7; row++)
            {
                for (var column = 0; column < 5; column++)
                {
                    if ((glyph[row] >> (4 - column) & 1) == 0)
                    {
                        continue;
                    }
                    for (var dy = 0; dy < Scale; dy++)
                    {
                        for (var dx = 0; dx < Scale; dx++)
                        {
                            Set(sheet, left + (d * advance + column) * Scale + dx, top + row * Scale + dy, ink);
                        }
                    }
                }
            }
        }
    }

    private static void Set(Image<Rgba32> image, int x, int y, Rgba32 colour)
    {
        if (x >= 0 && y >= 0 && x < image.Width && y < image.Height)
        {
            image[x, y] = colour;
        }
    }

    /// <summary>
    /// The classic 5 × 7 character-LCD font: each glyph is seven rows of five bits. Digits, capitals and the punctuation
    /// the captions use.
    /// </summary>
    private static readonly Dictionary<char, byte[]> Glyphs = new()
    {
        ['0'] = [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],
        ['1'] = [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        ['2'] = [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
        ['3'] = [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        ['4'] = [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
        ['5'] = [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        ['6'] = [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
        ['7'] = [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        ['8'] = [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
        ['9'] = [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
        ['A'] = [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        ['B'] = [0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E],
        ['C'] = [0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E],
        ['D'] = [0x1E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1E],
        ['E'] = [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F],
        ['F'] = [0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10],
        ['G'] = [0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F],
        ['H'] = [0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11],
        ['I'] = [0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E],
        ['J'] = [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C],
        ['K'] = [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11],
        ['L'] = [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F],
        ['M'] = [0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11],
        ['N'] = [0x11, 0x19, 0x19, 0x15, 0x13, 0x13, 0x11],
        ['O'] = [0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        ['P'] = [0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10],
        ['Q'] = [0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D],
        ['R'] = [0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11],
        ['S'] = [0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E],
        ['T'] = [0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
        ['U'] = [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E],
        ['V'] = [0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04],
        ['W'] = [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A],
        ['X'] = [0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11],
        ['Y'] = [0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04],
        ['Z'] = [0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F],
        ['.'] = [0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C],
        [','] = [0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08],
        [':'] = [0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00],
        [';'] = [0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x04, 0x08],
        ['/'] = [0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00],
        ['-'] = [0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00],
        ['('] = [0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02],
        [')'] = [0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08],
    };
}
