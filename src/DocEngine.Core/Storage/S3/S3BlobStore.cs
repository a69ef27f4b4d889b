using Amazon.S3;
using Amazon.S3.Model;

namespace DocEngine.Core.Storage.S3;

/// <summary>
/// Blobs as objects in an S3-compatible bucket, keyed by SHA-256 as on disk (<see cref="S3Bucket.BlobKey"/>), each with its
/// block hashes beside it when it has more than one block. A blob is written once: when its key exists the copy is dropped
/// (the store has no conditional put that Swift honours, so two nodes storing the same content at the same moment may
/// both write it; the bytes are the same by hash).
/// </summary>
public sealed class S3BlobStore(S3Bucket bucket) : IBlobStore
{
    /// <summary>Files up to this size go in one PUT; larger ones in multipart parts of <see cref="S3Options.PartBytes"/>.</summary>
    private const long SinglePutLimit = 64 << 20;

    /// <inheritdoc />
    public async Task PutFileAsync(string sourcePath, BlobHashes hashes, CancellationToken cancellationToken)
    {
        if (!await ExistsAsync(hashes.Sha256, cancellationToken).ConfigureAwait(false))
        {
            await PutBlocksAsync(hashes, cancellationToken).ConfigureAwait(false);
            var length = new FileInfo(sourcePath).Length;
            if (length <= SinglePutLimit)
            {
                await bucket.Run(() => bucket.Client.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = bucket.Name,
                    Key = S3Bucket.BlobKey(hashes.Sha256),
                    FilePath = sourcePath,
                    UseChunkEncoding = false,
                }, cancellationToken)).ConfigureAwait(false);
            }
            else
            {
                await PutLargeFileAsync(sourcePath, length, S3Bucket.BlobKey(hashes.Sha256), cancellationToken).ConfigureAwait(false);
            }
        }
        File.Delete(sourcePath);
    }

    /// <inheritdoc />
    public Task<bool> ExistsAsync(string sha256, CancellationToken cancellationToken) => bucket.Run(async () =>
    {
        try
        {
            await bucket.Client.GetObjectMetadataAsync(bucket.Name, S3Bucket.BlobKey(Check(sha256)), cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (S3Bucket.IsMissing(e))
        {
            return false;
        }
    });

    /// <inheritdoc />
    public Task<Stream> OpenReadAsync(string sha256, long offset, long length, CancellationToken cancellationToken) => bucket.Run<Stream>(async () =>
    {
        var request = new GetObjectRequest { BucketName = bucket.Name, Key = S3Bucket.BlobKey(Check(sha256)) };
        if (offset > 0 || length > 0)
        {
            request.ByteRange = new ByteRange(offset, length > 0 ? offset + length - 1 : long.MaxValue - 1);
        }
        try
        {
            var response = await bucket.Client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
            return new ResponseStream(response);
        }
        catch (AmazonS3Exception e) when (S3Bucket.IsMissing(e))
        {
            throw StorageErrors.BlobMissing();
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "InvalidRange")
        {
            return new MemoryStream([], writable: false); // a range starting at the end: nothing to read
        }
    });

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>?> GetBlockHashesAsync(string sha256, CancellationToken cancellationToken) =>
        await bucket.GetBytesAsync(S3Bucket.BlocksKey(Check(sha256)), cancellationToken).ConfigureAwait(false) is { } stored ? BlobHashes.DecodeBlocks(stored) : null;

    /// <inheritdoc />
    public string? LocalPath(string sha256) => null;

    /// <summary>Writes the block hashes first: a blob never exists without them (an orphan list for a blob that never arrives is harmless).</summary>
    internal async Task PutBlocksAsync(BlobHashes hashes, CancellationToken cancellationToken)
    {
        if (hashes.Blocks.Count > 1)
        {
            await bucket.PutAsync(S3Bucket.BlocksKey(hashes.Sha256), hashes.EncodeBlocks(), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task PutLargeFileAsync(string path, long length, string key, CancellationToken cancellationToken)
    {
        var partSize = bucket.Options.PartBytes;
        var started = await bucket.Run(() => bucket.Client.InitiateMultipartUploadAsync(bucket.Name, key, cancellationToken)).ConfigureAwait(false);
        try
        {
            var parts = new List<PartETag>();
            for (long position = 0, number = 1; position < length; position += partSize, number++)
            {
                var size = Math.Min(partSize, length - position);
                var (at, partNumber) = (position, (int)number);
                var uploaded = await bucket.Run(() => bucket.Client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = bucket.Name,
                    Key = key,
                    UploadId = started.UploadId,
                    PartNumber = partNumber,
                    FilePath = path,
                    FilePosition = at,
                    PartSize = size,
                    UseChunkEncoding = false,
                }, cancellationToken)).ConfigureAwait(false);
                parts.Add(new PartETag(partNumber, uploaded.ETag));
            }
            await bucket.Run(() => bucket.Client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = bucket.Name,
                Key = key,
                UploadId = started.UploadId,
                PartETags = parts,
            }, cancellationToken)).ConfigureAwait(false);
        }
        catch
        {
            await ((Task)bucket.Client.AbortMultipartUploadAsync(bucket.Name, key, started.UploadId, CancellationToken.None)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            throw;
        }
    }

    private static string Check(string sha256) => sha256.Length == 64 && sha256.All(char.IsAsciiHexDigitLower)
        ? sha256
        : throw new ArgumentException("Blob keys are 64 lowercase hex characters.", nameof(sha256));

    /// <summary>The object's body; disposing it releases the HTTP response. Read failures mid-body become UNAVAILABLE.</summary>
    private sealed class ResponseStream(GetObjectResponse response) : Stream
    {
        private readonly Stream _body = response.ResponseStream;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => response.ContentLength;
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            try
            {
                return _body.Read(buffer);
            }
            catch (IOException e)
            {
                throw StorageErrors.Unavailable("the object store", e);
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await _body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                throw StorageErrors.Unavailable("the object store", e);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                response.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
