using DocEngine.Core.Storage;
using DocEngine.Core.Storage.Embedded;
using DocEngine.Core.Storage.Postgres;
using DocEngine.Core.Storage.S3;
using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Storage.Conformance;

/// <summary>Every storage capability of one provider, fresh for one test.</summary>
public sealed record TestStores(
    IApplicationStore Applications,
    IDocumentStore Documents,
    IUploadSessionStore Sessions,
    IRenditionStore Renditions,
    IReceiptStore Receipts,
    IApplicationEventStore Events,
    IBatchWorkStore Batches,
    ILimitStore Limits,
    IReceiptKeyStore ReceiptKeys,
    IAccessTokenStore AccessTokens,
    IAuditEventStore Audit,
    ISigningKeyStore SigningKeys,
    IBlobStore Blobs,
    IUploadPartStore Parts,
    Func<ValueTask> Dispose) : IAsyncDisposable
{
    public ValueTask DisposeAsync() => Dispose();
}

/// <summary>A storage provider under test: the conformance suites run the same tests on each.</summary>
public interface IStorageProvider
{
    /// <summary>Skips (loudly; fails under CI) when the provider's servers cannot run here.</summary>
    void RequireOrSkip();

    /// <summary>A fresh set of stores, sharing nothing with other tests' (another database, another temp folder).</summary>
    Task<TestStores> OpenAsync();
}

/// <summary>SQLite and files in a temp folder.</summary>
public sealed class EmbeddedProvider : IStorageProvider
{
    public void RequireOrSkip()
    {
    }

    public async Task<TestStores> OpenAsync()
    {
        var directory = new TempDirectory();
        var s = await EmbeddedStorage.OpenAsync(directory.Path, CancellationToken.None);
        return new TestStores(s.Metadata, s.Metadata, s.Metadata, s.Metadata, s.Metadata, s.Metadata, s.Metadata, s.Limits, s.ReceiptKeys, s.Metadata, s.Metadata, s.Metadata, s.Blobs, s.Parts,
            () =>
            {
                directory.Dispose();
                return ValueTask.CompletedTask;
            });
    }
}

/// <summary>PostgreSQL (a new database on the cluster's server) and S3 (the cluster's Swift, one bucket for these tests).</summary>
public sealed class PostgresS3Provider(ClusterFixture cluster) : IStorageProvider
{
    public void RequireOrSkip() => cluster.RequireOrSkip();

    public async Task<TestStores> OpenAsync()
    {
        var metadata = await PostgresMetadataStore.OpenAsync(await cluster.CreateDatabaseAsync(), CancellationToken.None);
        var bucket = await S3Bucket.OpenAsync(cluster.S3("conformance"), CancellationToken.None);
        var m = metadata;
        return new TestStores(m, m, m, m, m, m, m, m, m, m, m, m, new S3BlobStore(bucket), new S3UploadPartStore(bucket), async () =>
        {
            await metadata.DisposeAsync();
            bucket.Dispose();
        });
    }
}
