namespace DocEngine.Core.Imaging;

/// <summary>
/// CCITT Group 4 (ITU-T T.6, "MMR") encoding of a black-and-white picture, as a PDF image's <c>/CCITTFaxDecode</c> stream
/// with <c>/K -1</c>: each line is coded against the one above it (the first against an imaginary white line) in pass,
/// vertical and horizontal modes, and the data ends with EOFB. Written here because the libraries served to us write
/// Group 4 only in many TIFF strips (ImageSharp 2) or through a temporary TIFF file (ImageMagick, ~1 s a page), and
/// a PDF image is one strip. Round trips through libtiff, ImageSharp's decoder and MuPDF are checked by the tests.
/// </summary>
internal static class Group4Encoder
{
    /// <summary>Encodes one byte per pixel (below 128 is black) as Group 4 with black coded as black (PDF's /BlackIs1 false).</summary>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height)
    {
        var writer = new BitWriter(Math.Max(1024, width * height / 40));
        var reference = new int[width + 2];
        var coding = new int[width + 2];
        var referenceCount = Terminate(reference, 0, width);
        for (var y = 0; y < height; y++)
        {
            var codingCount = Changes(pixels.Slice(y * width, width), coding, width);
            EncodeLine(writer, coding, codingCount, reference, referenceCount, width);
            (reference, coding) = (coding, reference);
            referenceCount = codingCount;
        }
        writer.Write(0x001, 12); // EOFB: two EOLs
        writer.Write(0x001, 12);
        return writer.ToArray();
    }

    /// <summary>
    /// The positions where the colour changes along a line (the first pixel of each run after the first, starting from
    /// white), followed by two copies of <paramref name="width"/> so lookups past the end land on the line's end.
    /// </summary>
    private static int Changes(ReadOnlySpan<byte> line, int[] changes, int width)
    {
        var count = 0;
        var black = false;
        for (var x = 0; x < width; x++)
        {
            if ((line[x] < 128) != black)
            {
                black = !black;
                changes[count++] = x;
            }
        }
        return Terminate(changes, count, width);
    }

    private static int Terminate(int[] changes, int count, int width)
    {
        changes[count] = width;
        changes[count + 1] = width;
        return count;
    }

    private static void EncodeLine(BitWriter writer, int[] coding, int codingCount, int[] reference, int referenceCount, int width)
    {
        var a0 = -1;
        var black = false; // colour of a0's run
        var next = 0; // index in coding of the first change after a0
        var refIndex = 0;
        while (a0 < width)
        {
            var a1 = coding[next];
            // b1: the first change on the reference line right of a0 whose colour is the opposite of a0's: changes at
            // even indexes start black runs, odd ones white runs. (After a vertical step left of b1, b1 can move back.)
            while (refIndex > 0 && reference[refIndex - 1] > a0)
            {
                refIndex--;
            }
            while (refIndex < referenceCount && (reference[refIndex] <= a0 || (refIndex & 1) != (black ? 1 : 0)))
            {
                refIndex++;
            }
            var b1 = refIndex < referenceCount ? reference[refIndex] : width;
            var b2 = refIndex + 1 < referenceCount ? reference[refIndex + 1] : width;
            if (b2 < a1)
            {
                writer.Write(0b0001, 4); // pass
                a0 = b2;
                continue;
            }
            var delta = a1 - b1;
            if (delta is >= -3 and <= 3)
            {
                var (code, length) = Vertical[delta + 3];
                writer.Write(code, length);
                a0 = a1;
                black = !black;
                next++;
                continue;
            }
            var a2 = coding[next + 1];
            writer.Write(0b001, 3); // horizontal
            WriteRun(writer, a1 - Math.Max(a0, 0), black);
            WriteRun(writer, a2 - a1, !black);
            a0 = a2;
            next += 2;
        }
    }

    private static void WriteRun(BitWriter writer, int run, bool black)
    {
        while (run >= 2560)
        {
            writer.Write(0b000000011111, 12); // 2560, both colours
            run -= 2560;
        }
        if (run >= 64)
        {
            var makeup = run / 64;
            var (code, length) = makeup <= 27 ? (black ? BlackMakeup : WhiteMakeup)[makeup - 1] : Extended[makeup - 28];
            writer.Write(code, length);
            run -= makeup * 64;
        }
        var (terminating, bits) = (black ? BlackTerminating : WhiteTerminating)[run];
        writer.Write(terminating, bits);
    }

    /// <summary>V_L3 … V0 … V_R3 (T.4 Table 4).</summary>
    private static readonly (int Code, int Length)[] Vertical =
        [(0b0000010, 7), (0b000010, 6), (0b010, 3), (0b1, 1), (0b011, 3), (0b000011, 6), (0b0000011, 7)];

    private static (int Code, int Length)[] Codes(params string[] bits) => [.. bits.Select(b => (Convert.ToInt32(b, 2), b.Length))];

    // T.4 Table 2 (terminating codes, runs 0–63) and Table 3 (make-up codes, 64–1728; 1792–2560 for both colours).
    private static readonly (int Code, int Length)[] WhiteTerminating = Codes(
        "00110101", "000111", "0111", "1000", "1011", "1100", "1110", "1111", "10011", "10100", "00111", "01000", "001000", "000011", "110100", "110101",
        "101010", "101011", "0100111", "0001100", "0001000", "0010111", "0000011", "0000100", "0101000", "0101011", "0010011", "0100100", "0011000", "00000010", "00000011", "00011010",
        "00011011", "00010010", "00010011", "00010100", "00010101", "00010110", "00010111", "00101000", "00101001", "00101010", "00101011", "00101100", "00101101", "00000100", "00000101", "00001010",
        "00001011", "01010010", "01010011", "01010100", "01010101", "00100100", "00100101", "01011000", "01011001", "01011010", "01011011", "01001010", "01001011", "00110010", "00110011", "00110100");

    private static readonly (int Code, int Length)[] BlackTerminating = Codes(
        "0000110111", "010", "11", "10", "011", "0011", "0010", "00011", "000101", "000100", "0000100", "0000101", "0000111", "00000100", "00000111", "000011000",
        "0000010111", "0000011000", "0000001000", "00001100111", "00001101000", "00001101100", "00000110111", "00000101000", "00000010111", "00000011000", "000011001010", "000011001011", "000011001100", "000011001101", "000001101000", "000001101001",
        "000001101010", "000001101011", "000011010010", "000011010011", "000011010100", "000011010101", "000011010110", "000011010111", "000001101100", "000001101101", "000011011010", "000011011011", "000001010100", "000001010101", "000001010110", "000001010111",
        "000001100100", "000001100101", "000001010010", "000001010011", "000000100100", "000000110111", "000000111000", "000000100111", "000000101000", "000001011000", "000001011001", "000000101011", "000000101100", "000001011010", "000001100110", "000001100111");

    private static readonly (int Code, int Length)[] WhiteMakeup = Codes(
        "11011", "10010", "010111", "0110111", "00110110", "00110111", "01100100", "01100101", "01101000", "01100111", "011001100", "011001101", "011010010", "011010011",
        "011010100", "011010101", "011010110", "011010111", "011011000", "011011001", "011011010", "011011011", "010011000", "010011001", "010011010", "011000", "010011011");

    private static readonly (int Code, int Length)[] BlackMakeup = Codes(
        "0000001111", "000011001000", "000011001001", "000001011011", "000000110011", "000000110100", "000000110101", "0000001101100", "0000001101101", "0000001001010", "0000001001011", "0000001001100", "0000001001101", "0000001110010",
        "0000001110011", "0000001110100", "0000001110101", "0000001110110", "0000001110111", "0000001010010", "0000001010011", "0000001010100", "0000001010101", "0000001011010", "0000001011011", "0000001100100", "0000001100101");

    private static readonly (int Code, int Length)[] Extended = Codes(
        "00000001000", "00000001100", "00000001101", "000000010010", "000000010011", "000000010100", "000000010101", "000000010110", "000000010111", "000000011100", "000000011101", "000000011110", "000000011111");

    /// <summary>Appends codes most significant bit first.</summary>
    private sealed class BitWriter(int capacity)
    {
        private byte[] _bytes = new byte[capacity];
        private int _length;
        private ulong _pending;
        private int _pendingBits;

        public void Write(int code, int bits)
        {
            _pending = (_pending << bits) | (uint)code;
            _pendingBits += bits;
            while (_pendingBits >= 8)
            {
                _pendingBits -= 8;
                if (_length == _bytes.Length)
                {
                    Array.Resize(ref _bytes, _bytes.Length * 2);
                }
                _bytes[_length++] = (byte)(_pending >> _pendingBits);
            }
        }

        public byte[] ToArray()
        {
            if (_pendingBits > 0)
            {
                Write(0, 8 - _pendingBits);
            }
            return _bytes.AsSpan(0, _length).ToArray();
        }
    }
}
