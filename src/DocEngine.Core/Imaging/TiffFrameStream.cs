namespace DocEngine.Core.Imaging;

/// <summary>
/// A read-only view of a TIFF whose first-IFD pointer is replaced, so a decoder told to read only the first frame reads
/// frame N instead. This decodes a multi-page scan one page at a time, keeping memory to one page.
/// </summary>
internal sealed class TiffFrameStream : Stream
{
    private readonly Stream _inner;
    private readonly byte[] _patch;
    private readonly int _patchAt;
    private long _position;

    public TiffFrameStream(Stream inner, long directoryOffset)
    {
        _inner = inner;
        var (position, width, little) = FrameCounter.TiffFirstDirectoryPointer(inner);
        _patchAt = position;
        _patch = new byte[width];
        if (width == 8)
        {
            if (little)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64LittleEndian(_patch, (ulong)directoryOffset);
            }
            else
            {
                System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(_patch, (ulong)directoryOffset);
            }
        }
        else if (little)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(_patch, (uint)directoryOffset);
        }
        else
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(_patch, (uint)directoryOffset);
        }
    }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => _inner.Length;
    public override long Position { get => _position; set => _position = value; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        _inner.Position = _position;
        var read = _inner.Read(buffer);
        for (var i = 0; i < _patch.Length; i++)
        {
            var at = _patchAt + i - _position;
            if (at >= 0 && at < read)
            {
                buffer[(int)at] = _patch[i];
            }
        }
        _position += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin) => _position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => _inner.Length + offset,
    };

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
