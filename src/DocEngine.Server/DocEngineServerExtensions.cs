using DocEngine.Core.Mupdf;
using DocEngine.Core;
using DocEngine.Core.Access;
using DocEngine.Core.Archive;
using DocEngine.Core.Batch;
using DocEngine.Core.Conversion;
using DocEngine.Core.Ocr;
using DocEngine.Core.Previews;
using DocEngine.Core.Processing;
using DocEngine.Core.Receipts;
using DocEngine.Core.Signatures;
using DocEngine.Core.Storage;
using DocEngine.Core.Uploads;
using DocEngine.Core.Workers;
using DocEngine.Server.Infrastructure;
using DocEngine.Server.Services;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace DocEngine.Server;

/// <summary>All of the server's registrations, so Program.cs stays a few lines.</summary>
public static class DocEngineServerExtensions
{
    /// <summary>The gRPC services DocEngine serves, by the full names health clients ask for.</summary>
    public static readonly IReadOnlyList<string> ServiceNames =
    [
        "docengine.v1.UploadService", "docengine.v1.ApplicationService", "docengine.v1.DocumentService", "docengine.v1.ProcessingService",
        "docengine.v1.PreviewService", "docengine.v1.SignatureService", "docengine.v1.ReceiptService", "docengine.v1.BatchService", "docengine.v1.AccessService",
    ];

    /// <summary>Registers the core on embedded storage, gRPC (+ gRPC-Web, health, reflection), authentication (API keys, OIDC, applicant tokens), rate limits and CORS.</summary>
    public static WebApplicationBuilder AddDocEngine(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(DocEngineOptions.Section);
        var options = section.Get<DocEngineOptions>() ?? new DocEngineOptions();
        var serverOptions = section.Get<ServerOptions>() ?? new ServerOptions();
        options.DataDirectory = Path.GetFullPath(options.DataDirectory, builder.Environment.ContentRootPath);
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(serverOptions);
        services.AddSingleton(TimeProvider.System);
        // Kestrel only reads endpoints from its section by itself; bind the limits too (HTTP/2 windows, benchmarks/README.md;
        // streams per connection, keep-alive and header timeouts, issue 17). The body rate is a type configuration cannot bind.
        services.Configure<KestrelServerOptions>(builder.Configuration.GetSection("Kestrel"));
        services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MinRequestBodyDataRate = serverOptions.Limits.MinRequestBodyBytesPerSecond > 0
            ? new MinDataRate(serverOptions.Limits.MinRequestBodyBytesPerSecond, serverOptions.Limits.MinRequestBodyGracePeriod)
            : null);
        if (serverOptions.Portal.ApiKey.Length > 0 && !builder.Environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                $"DocEngine:Portal:ApiKey hands a tenant API key to every visitor of the portal page, which only the Development environment allows (this is {builder.Environment.EnvironmentName}): " +
                "remove it, and give the page an applicant token instead, with a ?token= link or DocEngine:Portal:TokenUrl (src/DocEngine.Portal/README.md).");
        }
        // gRPC needs HTTP/2, which cleartext listeners do not offer unless told; appsettings.json says so too, and wins where it differs.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2));

        services.AddDocEngineCore(options, builder.Environment.ContentRootPath);
        services.AddOidcBearer(serverOptions.Oidc, builder.Environment.ContentRootPath);

        services.AddSingleton<AuthenticationInterceptor>();
        services.AddSingleton<RateLimitInterceptor>();
        services.AddSingleton<ApplicantScopeInterceptor>();
        services.AddSingleton<ErrorInterceptor>();
        services.AddGrpc(grpc =>
        {
            grpc.EnableDetailedErrors = builder.Environment.IsDevelopment();
            // A chunk plus its envelope; larger messages are refused by gRPC with RESOURCE_EXHAUSTED before we see them.
            grpc.MaxReceiveMessageSize = options.Uploads.MaxChunkBytes + (64 << 10);
            grpc.Interceptors.Add<ErrorInterceptor>(); // outermost: maps everything below to a status
            grpc.Interceptors.Add<AuthenticationInterceptor>(); // who is calling: a tenant, or an applicant token
            grpc.Interceptors.Add<RateLimitInterceptor>(); // per tenant and per token, before any work
            grpc.Interceptors.Add<ApplicantScopeInterceptor>(); // an applicant token stays in its application
        });
        services.AddGrpcReflection();
        services.AddGrpcHealthChecks(health =>
            {
                // The whole server ("") does not go down with the renderer or a converter; previews report on their own
                // name, and PreviewService (which cannot draw a PDF without it) on its service name, as health clients
                // ask; each converter (LibreOffice, Tesseract, Ghostscript) reports on its own name.
                health.Services.Map("", check => !check.Tags.Contains("previews") && !check.Tags.Contains("converter"));
                health.Services.Map("docengine.previews", check => check.Tags.Contains("previews"));
                foreach (var service in ServiceNames)
                {
                    health.Services.Map(service, check => !check.Tags.Contains("converter")
                        && (service == "docengine.v1.PreviewService" || !check.Tags.Contains("previews")));
                }
                foreach (var converter in (string[])["conversion", "ocr", "archive"])
                {
                    health.Services.Map("docengine." + converter, check => check.Tags.Contains(converter));
                }
            })
            .AddCheck<StorageHealthCheck>("storage")
            .AddCheck<TenantKeysHealthCheck>("tenants")
            .AddCheck<PreviewHealthCheck>("previews", tags: ["previews"])
            .AddTypeActivatedCheck<ConverterHealthCheck>("conversion", null, ["converter", "conversion"], "conversion")
            .AddTypeActivatedCheck<ConverterHealthCheck>("ocr", null, ["converter", "ocr"], "ocr")
            .AddTypeActivatedCheck<ConverterHealthCheck>("archive", null, ["converter", "archive"], "archive");
        services.AddCors(cors => cors.AddDefaultPolicy(policy =>
        {
            if (serverOptions.CorsOrigins.Contains("*"))
            {
                policy.AllowAnyOrigin();
            }
            else
            {
                policy.WithOrigins([.. serverOptions.CorsOrigins]);
            }
            policy.AllowAnyMethod().AllowAnyHeader()
                .WithExposedHeaders("grpc-status", "grpc-message", "grpc-status-details-bin", "grpc-encoding", "grpc-accept-encoding");
        }));
        builder.AddDocEngineMetrics();
        return builder;
    }

    /// <summary>Maps the gRPC services with gRPC-Web enabled, plus health, reflection, metrics and the portal page.</summary>
    public static WebApplication MapDocEngine(this WebApplication app)
    {
        WarnAtStart(app);
        _ = app.Services.GetRequiredService<AccessTokens>(); // its keys load at start, so a bad key file stops the start, not a call
        app.UseDocEnginePortal();
        app.UseRouting();
        app.UseCors();
        app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });
        app.MapGrpcService<UploadGrpcService>();
        app.MapGrpcService<ApplicationGrpcService>();
        app.MapGrpcService<DocumentGrpcService>();
        app.MapGrpcService<ProcessingGrpcService>();
        app.MapGrpcService<PreviewGrpcService>();
        app.MapGrpcService<SignatureGrpcService>();
        app.MapGrpcService<ReceiptGrpcService>();
        app.MapGrpcService<BatchGrpcService>();
        app.MapGrpcService<AccessGrpcService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.MapDocEngineMetrics();
        return app;
    }

    /// <summary>Says at start, not at the first refused call, what will make every call fail.</summary>
    private static void WarnAtStart(WebApplication app)
    {
        if (!File.Exists(Path.Combine(app.Environment.ContentRootPath, "appsettings.json")))
        {
            ServerLog.ConfigurationMissing(app.Logger, app.Environment.ContentRootPath);
        }
        if (!TenantKeysHealthCheck.AnyKey(app.Services.GetRequiredService<ServerOptions>()))
        {
            ServerLog.NoApiKeys(app.Logger);
        }
    }
}
