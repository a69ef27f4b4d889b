using DocEngine.Core.Storage.Embedded;
using DocEngine.Core.Storage.Postgres;
using DocEngine.Core.Storage.S3;
using Microsoft.Extensions.DependencyInjection;

namespace DocEngine.Core.Storage;

/// <summary>
/// The one place a storage provider is chosen. Each provider registers every storage capability interface (metadata:
/// applications, documents, upload sessions, renditions, receipts, timeline, batches, limits, receipt keys, applicant tokens
/// and their revocation, the audit trail, signing keys; bytes: blobs and upload parts), and nothing outside a provider names
/// its classes.
/// </summary>
public static class StorageServiceCollectionExtensions
{
    /// <summary>Registers the provider <paramref name="options"/> names (see <see cref="StorageOptions.Provider"/>).</summary>
    public static IServiceCollection AddDocEngineStorage(this IServiceCollection services, StorageOptions options, string dataDirectory, string nodeName)
    {
        services.AddSingleton(StorageNode.Open(nodeName, dataDirectory));
        switch (options.Provider.ToLowerInvariant())
        {
            case "embedded":
                return services.AddEmbeddedStorage(dataDirectory);
            case "postgres" or "postgresql":
                if (string.IsNullOrWhiteSpace(options.Postgres.ConnectionString))
                {
                    throw new InvalidOperationException("DocEngine:Storage:Provider is Postgres, but DocEngine:Storage:Postgres:ConnectionString is empty: set it.");
                }
                if (string.IsNullOrWhiteSpace(options.S3.Bucket))
                {
                    throw new InvalidOperationException(
                        "DocEngine:Storage:Provider is Postgres, which keeps document bytes in an S3-compatible store: set DocEngine:Storage:S3:ServiceUrl, Bucket, AccessKey and SecretKey.");
                }
                return services.AddPostgresStorage(options.Postgres.ConnectionString).AddS3Blobs(options.S3);
            default:
                throw new InvalidOperationException($"DocEngine:Storage:Provider '{options.Provider}' is not a provider: use Embedded (the default) or Postgres.");
        }
    }

    /// <summary>SQLite metadata and files under <paramref name="dataDirectory"/>: blobs, upload part files, receipt keys.</summary>
    public static IServiceCollection AddEmbeddedStorage(this IServiceCollection services, string dataDirectory)
    {
        services.AddSingleton(_ => EmbeddedStorage.OpenAsync(dataDirectory, CancellationToken.None).GetAwaiter().GetResult());
        AddMetadata<SqliteMetadataStore>(services, sp => sp.GetRequiredService<EmbeddedStorage>().Metadata);
        services.AddSingleton<ILimitStore>(sp => sp.GetRequiredService<EmbeddedStorage>().Limits);
        services.AddSingleton<IReceiptKeyStore>(sp => sp.GetRequiredService<EmbeddedStorage>().ReceiptKeys);
        services.AddSingleton<IBlobStore>(sp => sp.GetRequiredService<EmbeddedStorage>().Blobs);
        services.AddSingleton<IUploadPartStore>(sp => sp.GetRequiredService<EmbeddedStorage>().Parts);
        services.AddSingleton<IStorageProbe>(sp => sp.GetRequiredService<EmbeddedStorage>());
        return services;
    }

    /// <summary>PostgreSQL metadata (schema migrated at start), shared by every node that names the same database.</summary>
    public static IServiceCollection AddPostgresStorage(this IServiceCollection services, string connectionString)
    {
        services.AddSingleton(_ => PostgresMetadataStore.OpenAsync(connectionString, CancellationToken.None).GetAwaiter().GetResult());
        AddMetadata<PostgresMetadataStore>(services, sp => sp.GetRequiredService<PostgresMetadataStore>());
        services.AddSingleton<ILimitStore>(sp => sp.GetRequiredService<PostgresMetadataStore>());
        services.AddSingleton<IReceiptKeyStore>(sp => sp.GetRequiredService<PostgresMetadataStore>());
        services.AddSingleton<IStorageProbe>(sp => sp.GetRequiredService<PostgresMetadataStore>());
        return services;
    }

    /// <summary>Blobs and upload parts in an S3-compatible bucket (created at start when missing).</summary>
    public static IServiceCollection AddS3Blobs(this IServiceCollection services, S3Options options)
    {
        services.AddSingleton(_ => S3Bucket.OpenAsync(options, CancellationToken.None).GetAwaiter().GetResult());
        services.AddSingleton<IBlobStore>(sp => new S3BlobStore(sp.GetRequiredService<S3Bucket>()));
        services.AddSingleton<IUploadPartStore>(sp => new S3UploadPartStore(sp.GetRequiredService<S3Bucket>()));
        services.AddSingleton<IStorageProbe>(sp => sp.GetRequiredService<S3Bucket>());
        return services;
    }

    private static void AddMetadata<T>(IServiceCollection services, Func<IServiceProvider, T> store)
        where T : class, IApplicationStore, IDocumentStore, IUploadSessionStore, IRenditionStore, IReceiptStore, IApplicationEventStore, IBatchWorkStore,
            IAccessTokenStore, IAuditEventStore, ISigningKeyStore
    {
        services.AddSingleton<IApplicationStore>(store);
        services.AddSingleton<IDocumentStore>(store);
        services.AddSingleton<IUploadSessionStore>(store);
        services.AddSingleton<IRenditionStore>(store);
        services.AddSingleton<IReceiptStore>(store);
        services.AddSingleton<IApplicationEventStore>(store);
        services.AddSingleton<IBatchWorkStore>(store);
        services.AddSingleton<IAccessTokenStore>(store);
        services.AddSingleton<IAuditEventStore>(store);
        services.AddSingleton<ISigningKeyStore>(store);
    }
}
