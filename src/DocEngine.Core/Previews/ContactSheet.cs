using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace DocEngine.Core.Previews;

/// <summary>
/// One image with a thumbnail of every page in a grid, each labelled with its page number: the picture a lawyer keeps
/// as proof of what was submitted. Labels are drawn from a built-in 5 × 7 pixel digit font, so no font library or font
/// file is needed.
/// </summary>
public static class ContactSheet
{
    private const int Margin = 16;
    private const int Scale = 3;

    /// <summary>Lays out <paramref name="thumbnails"/> (in page order) and encodes the sheet.</summary>
    public static RenderedPage Build(IReadOnlyList<RenderedPage> thumbnails, PreviewFormat format)
    {
        var images = thumbnails.Select(t => Image.Load<Rgba32>(t.Bytes)).ToList();
        try
        {
            var columns = Math.Min(6, (int)Math.Ceiling(Math.Sqrt(images.Count)));
            var rows = (int)Math.Ceiling(images.Count / (double)columns);
            var cellWidth = images.Max(i => i.Width) + Margin;
            var labelHeight = 7 * Scale + 8;
            var cellHeight = images.Max(i => i.Height) + labelHeight + Margin;
            using var sheet = new Image<Rgba32>(Margin + columns * cellWidth, Margin + rows * cellHeight, Color.White);
            for (var index = 0; index < images.Count; index++)
            {
                var (x, y) = (Margin + index % columns * cellWidth, Margin + index / columns * cellHeight);
                var thumbnail = images[index];
                var location = new Point(x + (cellWidth - Margin - thumbnail.Width) / 2, y);
                sheet.Mutate(s => s.DrawImage(thumbnail, location, 1f));
                Frame(sheet, location.X - 1, location.Y - 1, thumbnail.Width + 2, thumbnail.Height + 2);
                var label = thumbnails[index].Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
                var labelWidth = label.Length * 6 * Scale - Scale;
                DrawDigits(sheet, label, x + (cellWidth - Margin - labelWidth) / 2, y + thumbnail.Height + 6);
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

    private static void DrawDigits(Image<Rgba32> sheet, string digits, int left, int top)
    {
        var ink = new Rgba32(0, 0, 0);
        for (var d = 0; d < digits.Length; d++)
        {
            var glyph = Glyphs[digits[d] - '0'];
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
                            Set(sheet, left + (d * 6 + column) * Scale + dx, top + row * Scale + dy, ink);
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

    /// <summary>Digits 0–9, seven rows of five bits each (the classic 5 × 7 LCD font).</summary>
    private static readonly byte[][] Glyphs =
    [
        [0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E],
        [0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E],
        [0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F],
        [0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E],
        [0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02],
        [0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E],
        [0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E],
        [0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
        [0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E],
        [0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C],
    ];
}
