namespace DocEngine.Core.Storage.S3;

/// <summary>The S3-compatible object store (section DocEngine:Storage:S3): where blobs, renditions and upload parts live.</summary>
public sealed class S3Options
{
    /// <summary>The endpoint, e.g. http://127.0.0.1:8080 for a local Swift with s3api; empty for AWS itself (then <see cref="Region"/> picks it).</summary>
    public string ServiceUrl { get; set; } = "";

    /// <summary>The bucket; it must be a DNS-valid name of at least 3 characters. Created at start when missing.</summary>
    public string Bucket { get; set; } = "";

    /// <summary>The region used to sign requests; default us-east-1 (what Swift's s3api expects unless configured otherwise).</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>The access key id (for Swift with tempauth: account:user).</summary>
    public string AccessKey { get; set; } = "";

    /// <summary>The secret key.</summary>
    public string SecretKey { get; set; } = "";

    /// <summary>Path-style addressing (http://host/bucket/key), which most non-AWS stores need; default true. False: virtual-host style.</summary>
    public bool ForcePathStyle { get; set; } = true;

    /// <summary>Size of the multipart parts uploads are sent to the store in: a multiple of 8 MiB (the block size ranged reads are checked by, and more than S3's smallest part, 5 MiB); default 8 MiB.</summary>
    public int PartBytes { get; set; } = 8 << 20;

    /// <summary>Refuses settings no store can work with, naming the setting.</summary>
    public void Validate()
    {
        if (Bucket.Length < 3 || Bucket.Length > 63 || !Bucket.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.')
            || !char.IsAsciiLetterOrDigit(Bucket[0]) || !char.IsAsciiLetterOrDigit(Bucket[^1]))
        {
            throw new InvalidOperationException(
                $"DocEngine:Storage:S3:Bucket '{Bucket}' is not a DNS-valid bucket name: use 3-63 lowercase letters, digits, '-' or '.', starting and ending with a letter or digit.");
        }
        if (ServiceUrl.Length > 0 && !Uri.TryCreate(ServiceUrl, UriKind.Absolute, out _))
        {
            throw new InvalidOperationException($"DocEngine:Storage:S3:ServiceUrl '{ServiceUrl}' is not an absolute URL such as http://127.0.0.1:8080.");
        }
        if (PartBytes < BlobHashes.BlockSize || PartBytes > 512 << 20 || PartBytes % BlobHashes.BlockSize != 0)
        {
            throw new InvalidOperationException("DocEngine:Storage:S3:PartBytes must be a multiple of 8 MiB (8388608), at most 512 MiB.");
        }
    }
}
