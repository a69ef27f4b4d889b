using System.Security.Cryptography;

namespace DocEngine.Core.Storage;

/// <summary>A read-only stream that hashes everything read and, on reaching the end, refuses bytes that do not match the expected SHA-256.</summary>
internal sealed class HashCheckingStream(Stream inner, string expectedSha256) : Stream
{
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private bool _checked;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = inner.Read(buffer);
        Observe(buffer[..read], buffer.Length);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Observe(buffer.Span[..read], buffer.Length);
        return read;
    }

    private void Observe(ReadOnlySpan<byte> data, int requested)
    {
        if (data.Length > 0)
        {
            _hash.AppendData(data);
            return;
        }
        if (_checked || requested == 0)
        {
            return; // a zero-length read is not the end of the stream
        }
        _checked = true;
        var actual = Convert.ToHexStringLower(_hash.GetHashAndReset());
        if (actual != expectedSha256)
        {
            throw Corrupt();
        }
    }

    /// <summary>DATA_LOSS BLOB_CORRUPT: stored bytes no longer match their hash.</summary>
    public static DocEngineException Corrupt() => new(ErrorKind.DataLoss, "BLOB_CORRUPT",
        "The stored bytes of this document no longer match its SHA-256; do not use this copy, upload the file again and report this to the portal's operators.");

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
