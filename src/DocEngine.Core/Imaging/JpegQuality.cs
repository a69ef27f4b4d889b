namespace DocEngine.Core.Imaging;

/// <summary>
/// The quality a JPEG was saved at, estimated from its luminance quantization table the way libjpeg scales it (IJG's
/// standard table times 5000/q below quality 50, 200 − 2q above): reading the table costs microseconds, so a pass can
/// skip re-encoding a JPEG that is already at or under the quality it would write.
/// </summary>
public static class JpegQuality
{
    // ITU-T T.81 Annex K, Table K.1: the luminance table libjpeg scales.
    private static readonly int StandardSum = new[]
    {
        16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
        18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
    }.Sum();

    /// <summary>The estimated quality (1–100), or null when the bytes hold no readable luminance table before the scan.</summary>
    public static int? Estimate(ReadOnlySpan<byte> jpeg)
    {
        if (jpeg.Length < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8)
        {
            return null;
        }
        var position = 2;
        while (position + 4 <= jpeg.Length)
        {
            if (jpeg[position] != 0xFF)
            {
                return null;
            }
            var marker = jpeg[position + 1];
            if (marker == 0xFF)
            {
                position++; // fill byte
                continue;
            }
            if (marker is 0xDA or 0xD9)
            {
                return null; // the scan starts: no table was found before it
            }
            var length = (jpeg[position + 2] << 8) | jpeg[position + 3];
            if (length < 2 || position + 2 + length > jpeg.Length)
            {
                return null;
            }
            if (marker == 0xDB && Luminance(jpeg.Slice(position + 4, length - 2)) is { } sum)
            {
                var scale = sum * 100.0 / StandardSum;
                var quality = scale <= 100 ? (200 - scale) / 2 : 5000 / scale;
                return Math.Clamp((int)Math.Round(quality), 1, 100);
            }
            position += 2 + length;
        }
        return null;
    }

    /// <summary>The sum of table 0's 64 entries in a DQT segment's body, or null when the segment has no table 0.</summary>
    private static int? Luminance(ReadOnlySpan<byte> segment)
    {
        var position = 0;
        while (position < segment.Length)
        {
            var precision = segment[position] >> 4;
            var id = segment[position] & 0x0F;
            var size = precision == 0 ? 64 : 128;
            if (position + 1 + size > segment.Length)
            {
                return null;
            }
            if (id == 0)
            {
                var sum = 0;
                for (var i = 0; i < 64; i++)
                {
                    sum += precision == 0 ? segment[position + 1 + i] : (segment[position + 1 + 2 * i] << 8) | segment[position + 2 + 2 * i];
                }
                return sum;
            }
            position += 1 + size;
        }
        return null;
    }
}
