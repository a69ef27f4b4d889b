using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace DocEngine.Core.Storage.S3;

/// <summary>
/// The bucket DocEngine keeps its objects in, and the one place the AWS SDK's failures become store-neutral ones. Layout:
/// <c>blobs/sha256/ab/cd/&lt;sha256&gt;</c> (and <c>….blocks</c>, its block hashes) for content; <c>uploads/&lt;id&gt;/</c> for the
/// bytes of open uploads (multipart upload <c>data</c>, tail objects <c>tail-&lt;offset&gt;</c>).
/// </summary>
public sealed class S3Bucket : IStorageProbe, IDisposable
{
    private S3Bucket(IAmazonS3 client, S3Options options)
    {
        Client = client;
        Options = options;
    }

    /// <summary>The SDK client, configured for non-AWS stores: checksums only where an operation requires them.</summary>
    internal IAmazonS3 Client { get; }

    /// <summary>The settings it was opened with.</summary>
    public S3Options Options { get; }

    /// <summary>The bucket's name.</summary>
    public string Name => Options.Bucket;

    /// <summary>Connects, and creates the bucket when it is missing.</summary>
    public static async Task<S3Bucket> OpenAsync(S3Options options, CancellationToken cancellationToken)
    {
        options.Validate();
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            AuthenticationRegion = options.Region,
            // Stores other than AWS (Swift's s3api among them) refuse the SDK's default trailing checksums.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            Timeout = TimeSpan.FromSeconds(60),
            MaxErrorRetry = 2,
        };
        if (options.ServiceUrl.Length > 0)
        {
            config.ServiceURL = options.ServiceUrl;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }
        var bucket = new S3Bucket(new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config), options);
        try
        {
            await bucket.Run(async () =>
            {
                try
                {
                    await bucket.Client.PutBucketAsync(new PutBucketRequest { BucketName = options.Bucket }, cancellationToken).ConfigureAwait(false);
                }
                catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
                {
                }
                return true;
            }).ConfigureAwait(false);
            return bucket;
        }
        catch
        {
            bucket.Dispose();
            throw;
        }
    }

    /// <summary>Where a blob's bytes are.</summary>
    public static string BlobKey(string sha256) => $"blobs/sha256/{sha256[..2]}/{sha256[2..4]}/{sha256}";

    /// <summary>Where a blob's block hashes are.</summary>
    public static string BlocksKey(string sha256) => BlobKey(sha256) + ".blocks";

    /// <summary>The folder of an upload's bytes in flight.</summary>
    public static string UploadPrefix(string uploadId) => $"uploads/{uploadId}/";

    /// <summary>Runs an SDK call, translating an unreachable or failing store into UNAVAILABLE and a full one into STORAGE_FULL.</summary>
    internal async Task<T> Run<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (AmazonServiceException e) when (e.StatusCode == HttpStatusCode.InsufficientStorage || e.ErrorCode is "EntityTooLarge" or "QuotaExceeded")
        {
            throw StorageErrors.Full(e);
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            throw StorageErrors.Unavailable("the object store", e);
        }
    }

    internal Task Run(Func<Task> call) => Run(async () =>
    {
        await call().ConfigureAwait(false);
        return true;
    });

    /// <summary>True when the object does not exist (404).</summary>
    internal static bool IsMissing(Exception e) => e is AmazonS3Exception { StatusCode: HttpStatusCode.NotFound };

    private static bool IsUnavailable(Exception e) => e switch
    {
        AmazonServiceException service => (int)service.StatusCode >= 500 || service.StatusCode == 0 || service.InnerException is HttpRequestException or IOException or SocketException,
        AmazonClientException => true,
        HttpRequestException or SocketException or IOException => true,
        TaskCanceledException { InnerException: TimeoutException } => true,
        _ => false,
    };

    /// <summary>Deletes every object under <paramref name="prefix"/> and aborts multipart uploads started under it.</summary>
    internal async Task DeletePrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        var uploads = await Run(() => Client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Name, Prefix = prefix }, cancellationToken))
            .ConfigureAwait(false);
        foreach (var upload in uploads.MultipartUploads ?? [])
        {
            await Run(async () =>
            {
                try
                {
                    await Client.AbortMultipartUploadAsync(Name, upload.Key, upload.UploadId, cancellationToken).ConfigureAwait(false);
                }
                catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchUpload")
                {
                }
            }).ConfigureAwait(false);
        }
        string? token = null;
        do
        {
            var page = await Run(() => Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Name, Prefix = prefix, ContinuationToken = token }, cancellationToken))
                .ConfigureAwait(false);
            foreach (var item in page.S3Objects ?? [])
            {
                await Run(() => Client.DeleteObjectAsync(Name, item.Key, cancellationToken)).ConfigureAwait(false);
            }
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
    }

    /// <summary>Puts bytes from memory as one object (without aws-chunked encoding, which Swift refuses).</summary>
    internal Task PutAsync(string key, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) => Run(() =>
        Client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = Name,
            Key = key,
            InputStream = new ReadOnlyMemoryStream(bytes),
            UseChunkEncoding = false,
            AutoCloseStream = true,
        }, cancellationToken));

    /// <summary>Reads a whole small object into memory; null when it does not exist.</summary>
    internal Task<byte[]?> GetBytesAsync(string key, CancellationToken cancellationToken) => Run<byte[]?>(async () =>
    {
        try
        {
            using var response = await Client.GetObjectAsync(Name, key, cancellationToken).ConfigureAwait(false);
            using var copy = new MemoryStream();
            await response.ResponseStream.CopyToAsync(copy, cancellationToken).ConfigureAwait(false);
            return copy.ToArray();
        }
        catch (AmazonS3Exception e) when (IsMissing(e))
        {
            return null;
        }
    });

    /// <inheritdoc />
    string IStorageProbe.Name => "the object store";

    /// <inheritdoc />
    public Task ProbeAsync(CancellationToken cancellationToken) => Run(() =>
        Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Name, MaxKeys = 1, Prefix = "blobs/" }, cancellationToken));

    /// <inheritdoc />
    public void Dispose() => Client.Dispose();
}

/// <summary>A read-only stream over memory the caller owns (no copy), for the SDK's request bodies.</summary>
internal sealed class ReadOnlyMemoryStream(ReadOnlyMemory<byte> memory) : Stream
{
    private int _position;

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => memory.Length;
    public override long Position { get => _position; set => _position = (int)Math.Clamp(value, 0, memory.Length); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var take = Math.Min(buffer.Length, memory.Length - _position);
        memory.Span.Slice(_position, take).CopyTo(buffer);
        _position += take;
        return take;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer, offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => memory.Length + offset,
    };

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
