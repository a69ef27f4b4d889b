using DocEngine.Core;
using DocEngine.Core.Access;
using DocEngine.Core.Archive;
using DocEngine.Core.Batch;
using DocEngine.Core.Conversion;
using DocEngine.Core.Imaging;
using DocEngine.Core.Mupdf;
using DocEngine.Core.Ocr;
using DocEngine.Core.Pdf;
using DocEngine.Core.Previews;
using DocEngine.Core.Processing;
using DocEngine.Core.Receipts;
using DocEngine.Core.Signatures;
using DocEngine.Core.Storage;
using DocEngine.Core.Uploads;
using DocEngine.Core.Workers;
using DocEngine.Server.Infrastructure;

namespace DocEngine.Server;

/// <summary>The core's services over the configured storage provider, and the background work each node runs.</summary>
internal static class CoreRegistrations
{
    public static IServiceCollection AddDocEngineCore(this IServiceCollection services, DocEngineOptions options, string contentRoot)
    {
        // The one place storage is chosen (DocEngine:Storage:Provider); nothing below knows which provider it is.
        services.AddDocEngineStorage(options.Storage, options.DataDirectory, options.NodeName);
        string Work(IServiceProvider sp) => sp.GetRequiredService<StorageNode>().WorkDirectory;

        services.AddSingleton(sp => new DocumentReader(sp.GetRequiredService<IBlobStore>()));
        // Every node starts its own pool of sandboxed workers; scratch copies for them go to the node's work directory.
        services.AddSingleton(sp => WorkerPool.Start(options.Workers, Work(sp)));
        services.AddHostedService<WorkerPoolService>();
        services.AddSingleton(sp => new RenditionService(
            sp.GetRequiredService<IDocumentStore>(),
            sp.GetRequiredService<IRenditionStore>(),
            sp.GetRequiredService<IBlobStore>(),
            sp.GetRequiredService<WorkerPool>(),
            options.Processing,
            sp.GetRequiredService<DocumentPipeline>(),
            Work(sp),
            sp.GetRequiredService<TimeProvider>()));
        // Converters: one LibreOffice pool per node (disposed with the host, which kills its listeners), Tesseract, Ghostscript.
        services.AddSingleton(_ => new OfficeConverter(options.Conversion));
        services.AddSingleton(sp => new DocumentConverters(sp.GetRequiredService<OfficeConverter>(),
            new TesseractOcr(options.Ocr, sp.GetRequiredService<PreviewRenderer>().Mutool, sp.GetRequiredService<WorkerPool>(), options.Processing),
            new PdfAWriter(options.Archive)));
        // The PDF path: reading and compressing in the node's workers, the converters as their own sandboxed processes.
        services.AddSingleton(sp => new DocumentPipeline(sp.GetRequiredService<WorkerPool>(), options.Processing,
            sp.GetRequiredService<PreviewRenderer>().Mutool, sp.GetRequiredService<DocumentConverters>()));
        services.AddSingleton(sp => new UploadManager(
            options.Uploads,
            sp.GetRequiredService<IUploadSessionStore>(),
            sp.GetRequiredService<IApplicationStore>(),
            sp.GetRequiredService<IDocumentStore>(),
            sp.GetRequiredService<IBlobStore>(),
            sp.GetRequiredService<IUploadPartStore>(),
            sp.GetRequiredService<ILimitStore>(),
            sp.GetRequiredService<StorageNode>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<UploadManager>>()));
        services.AddSingleton(sp => new PreviewRenderer(new MutoolRenderer(options.Previews), sp.GetRequiredService<WorkerPool>(), options.Processing, options.Previews));
        services.AddSingleton(sp => new PreviewService(
            sp.GetRequiredService<IDocumentStore>(),
            sp.GetRequiredService<IRenditionStore>(),
            sp.GetRequiredService<IBlobStore>(),
            sp.GetRequiredService<PreviewRenderer>(),
            options.Previews,
            Work(sp),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(_ => new SignatureVerifier(options.Signatures,
            TrustAnchors.Load(options.Signatures.TrustAnchors.Select(p => Path.GetFullPath(p, contentRoot)))));
        services.AddSingleton(sp => new StoredSignatureVerifier(
            sp.GetRequiredService<IDocumentStore>(),
            sp.GetRequiredService<DocumentReader>(),
            sp.GetRequiredService<SignatureVerifier>(),
            options.Signatures,
            sp.GetRequiredService<WorkerPool>()));
        // Applicant tokens: keys from configuration or the shared store (never per node), revocations reloaded from the store.
        services.AddSingleton(options.Access);
        services.AddSingleton(sp => AccessTokenKeys.LoadAsync(options.Access, sp.GetRequiredService<ISigningKeyStore>(), sp.GetRequiredService<TimeProvider>(),
            CancellationToken.None).GetAwaiter().GetResult());
        services.AddSingleton(sp => new RevocationList(sp.GetRequiredService<IAccessTokenStore>(), options.Access, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new AuditTrail(sp.GetRequiredService<IAuditEventStore>(), sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton(sp => new AccessTokens(
            sp.GetRequiredService<AccessTokenKeys>(),
            sp.GetRequiredService<IAccessTokenStore>(),
            sp.GetRequiredService<IApplicationStore>(),
            sp.GetRequiredService<RevocationList>(),
            sp.GetRequiredService<AuditTrail>(),
            options.Access,
            sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<RevocationRefreshService>();
        services.AddSingleton(sp => ReceiptKeys.LoadAsync(options.Receipts, sp.GetRequiredService<IReceiptKeyStore>(), sp.GetRequiredService<TimeProvider>(),
            CancellationToken.None).GetAwaiter().GetResult());
        services.AddSingleton(sp => new DocumentFacts(
            sp.GetRequiredService<DocumentReader>(),
            sp.GetRequiredService<WorkerPool>(),
            options.Processing,
            sp.GetRequiredService<SignatureVerifier>(),
            options.Signatures,
            sp.GetRequiredService<IRenditionStore>()));
        services.AddSingleton(sp => new ReceiptService(
            sp.GetRequiredService<IDocumentStore>(),
            sp.GetRequiredService<IReceiptStore>(),
            sp.GetRequiredService<ReceiptKeys>(),
            options.Receipts,
            sp.GetRequiredService<DocumentFacts>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ReceiptIssuerService>();
        services.AddHostedService(sp => sp.GetRequiredService<ReceiptIssuerService>());
        services.AddSingleton(sp => new StoredBatches(
            sp.GetRequiredService<IBatchWorkStore>(),
            sp.GetRequiredService<IApplicationStore>(),
            new StoredBatchSteps(sp.GetRequiredService<RenditionService>(), sp.GetRequiredService<PreviewService>(), sp.GetRequiredService<StoredSignatureVerifier>()),
            sp.GetRequiredService<StorageNode>(),
            options.Batches.LeaseDuration,
            sp.GetRequiredService<TimeProvider>()));
        services.AddHostedService<BatchRunnerService>();
        services.AddHostedService<UploadCollectorService>();
        return services;
    }
}
