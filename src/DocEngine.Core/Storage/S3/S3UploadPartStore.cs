using System.Runtime.CompilerServices;
using System.Text.Json;
using Amazon.S3.Model;

namespace DocEngine.Core.Storage.S3;

/// <summary>
/// Upload bytes in flight in the object store, after tusd's s3store: whole parts of <see cref="S3Options.PartBytes"/> go
/// into one S3 multipart upload (<c>uploads/&lt;id&gt;/data</c>), and what is left after the last whole part, shorter than a
/// part, goes into small "tail" objects (<c>uploads/&lt;id&gt;/tail-&lt;offset&gt;-&lt;n&gt;</c>), one per commit, each written once. The
/// session store keeps the multipart upload id, the parts with their ETags and the tail objects (the part state) beside the
/// committed offset, so no node ever lists parts, and another node picks the session up by reading only the tails (less
/// than one part). Publishing completes the multipart upload and copies it, inside the store, to the blob's content
/// address. See src/DocEngine.Core/Uploads/README.md.
/// </summary>
public sealed class S3UploadPartStore(S3Bucket bucket) : IUploadPartStore
{
    /// <inheritdoc />
    public async Task<IUploadParts> OpenAsync(UploadRecord upload, CancellationToken cancellationToken)
    {
        var state = S3PartState.Parse(upload.PartState);
        var parts = new S3UploadParts(bucket, upload.Id, state, upload.CommittedOffset);
        try
        {
            await parts.LoadTailsAsync(published: upload.State == UploadState.Completing, cancellationToken).ConfigureAwait(false);
            return parts;
        }
        catch
        {
            await parts.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public Task DeleteAsync(string uploadId, CancellationToken cancellationToken) => bucket.DeletePrefixAsync(S3Bucket.UploadPrefix(uploadId), cancellationToken);

    /// <inheritdoc />
    public async IAsyncEnumerable<string> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            var page = await bucket.Run(() => bucket.Client.ListObjectsV2Async(
                new ListObjectsV2Request { BucketName = bucket.Name, Prefix = "uploads/", Delimiter = "/", ContinuationToken = token }, cancellationToken)).ConfigureAwait(false);
            foreach (var prefix in page.CommonPrefixes ?? [])
            {
                var id = prefix["uploads/".Length..].TrimEnd('/');
                if (seen.Add(id))
                {
                    yield return id;
                }
            }
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
        var uploads = await bucket.Run(() => bucket.Client.ListMultipartUploadsAsync(
            new ListMultipartUploadsRequest { BucketName = bucket.Name, Prefix = "uploads/" }, cancellationToken)).ConfigureAwait(false);
        foreach (var started in uploads.MultipartUploads ?? [])
        {
            var id = started.Key.Split('/')[1];
            if (seen.Add(id))
            {
                yield return id;
            }
        }
    }
}

/// <summary>The part state kept with an S3 upload's committed offset.</summary>
/// <param name="Upload">The S3 multipart upload id, once the first whole part was stored.</param>
/// <param name="Parts">The whole parts, in order, with their ETags.</param>
/// <param name="Tails">The tail objects after the last part, in order: together they hold [end of parts, committed offset).</param>
internal sealed record S3PartState(string? Upload, IReadOnlyList<S3Part> Parts, IReadOnlyList<S3Tail> Tails)
{
    public static readonly S3PartState Empty = new(null, [], []);

    public long PartsEnd => Parts.Sum(p => p.Size);

    public long TailEnd => Tails.Count > 0 ? Tails[^1].At + Tails[^1].Length : PartsEnd;

    public static S3PartState Parse(string? json) => string.IsNullOrEmpty(json)
        ? Empty
        : JsonSerializer.Deserialize(json, S3PartStateJson.Default.S3PartState) ?? Empty;

    public string ToJson() => JsonSerializer.Serialize(this, S3PartStateJson.Default.S3PartState);
}

/// <summary>One whole part of the multipart upload.</summary>
internal sealed record S3Part(int Number, string ETag, long Size);

/// <summary>One tail object: <see cref="Length"/> bytes of the upload from offset <see cref="At"/>.</summary>
internal sealed record S3Tail(long At, long Length, string Key);

[System.Text.Json.Serialization.JsonSerializable(typeof(S3PartState))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.CamelCase)]
internal sealed partial class S3PartStateJson : System.Text.Json.Serialization.JsonSerializerContext;
