using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Storage.Conformance;

// Each conformance suite on each provider: the embedded default (SQLite + files) and PostgreSQL + S3 (the shared cluster's).

public sealed class EmbeddedApplicationStoreTests() : ApplicationStoreConformance(new EmbeddedProvider());
public sealed class EmbeddedDocumentStoreTests() : DocumentStoreConformance(new EmbeddedProvider());
public sealed class EmbeddedUploadSessionStoreTests() : UploadSessionStoreConformance(new EmbeddedProvider());
public sealed class EmbeddedRenditionStoreTests() : RenditionStoreConformance(new EmbeddedProvider());
public sealed class EmbeddedReceiptStoreTests() : ReceiptStoreConformance(new EmbeddedProvider());
public sealed class EmbeddedBatchWorkStoreTests() : BatchWorkStoreConformance(new EmbeddedProvider());
public sealed class EmbeddedLimitStoreTests() : LimitStoreConformance(new EmbeddedProvider());
public sealed class EmbeddedReceiptKeyStoreTests() : ReceiptKeyStoreConformance(new EmbeddedProvider());
public sealed class EmbeddedAccessTokenStoreTests() : AccessTokenStoreConformance(new EmbeddedProvider());
public sealed class EmbeddedAuditEventStoreTests() : AuditEventStoreConformance(new EmbeddedProvider());
public sealed class EmbeddedSigningKeyStoreTests() : SigningKeyStoreConformance(new EmbeddedProvider());
public sealed class EmbeddedBlobStoreTests() : BlobStoreConformance(new EmbeddedProvider());
public sealed class EmbeddedUploadPartStoreTests() : UploadPartStoreConformance(new EmbeddedProvider());

[Collection(ClusterCollection.Name)]
public sealed class PostgresApplicationStoreTests(ClusterFixture cluster) : ApplicationStoreConformance(new PostgresS3Provider(cluster));
[Collection(ClusterCollection.Name)]
public sealed class PostgresDocumentStoreTests(ClusterFixture cluster) : DocumentStoreConformance(new PostgresS3Provider(cluster));
[Collection(ClusterCollection.Name)]
public sealed class PostgresUploadSessionStoreTests(ClusterFixture cluster) : UploadSessionStoreConformance(new PostgresS3Provider(cluster));
[Collection(ClusterCollection.Name)]
public sealed class PostgresRenditionStoreTests(ClusterFixture cluster) : RenditionStoreConformance(new PostgresS3Provider(cluster));
[Collection(ClusterCollection.Name)]
public sealed class PostgresReceiptStoreTests(ClusterFixture cluster) : ReceiptStoreConformance(new PostgresS3Provider(cluster));
[Collection(ClusterCollection.Name)]
public sealed class PostgresBatchWorkStoreTests(ClusterFixture cluster) : BatchWorkStoreConformance(new PostgresS3Provider(cluster));
[Collection(ClusterCollection.Name)]
public sealed class PostgresLimitStoreTests(ClusterFixture cluster) : LimitStoreConformance(new PostgresS3Provider(cluster));
[Collection(ClusterCollection.Name)]
public sealed class PostgresReceiptKeyStoreTests(ClusterFixture cluster) : ReceiptKeyStoreConformance(new PostgresS3Provider(cluster));
[Collection(ClusterCollection.Name)]
public sealed class PostgresAccessTokenStoreTests(ClusterFixture cluster) : AccessTokenStoreConformance(new PostgresS3Provider(cluster));
[Collection(ClusterCollection.Name)]
public sealed class PostgresAuditEventStoreTests(ClusterFixture cluster) : AuditEventStoreConformance(new PostgresS3Provider(cluster));
[Collection(ClusterCollection.Name)]
public sealed class PostgresSigningKeyStoreTests(ClusterFixture cluster) : SigningKeyStoreConformance(new PostgresS3Provider(cluster));
[Collection(ClusterCollection.Name)]
public sealed class S3BlobStoreTests(ClusterFixture cluster) : BlobStoreConformance(new PostgresS3Provider(cluster));
[Collection(ClusterCollection.Name)]
public sealed class S3UploadPartStoreTests(ClusterFixture cluster) : UploadPartStoreConformance(new PostgresS3Provider(cluster));
