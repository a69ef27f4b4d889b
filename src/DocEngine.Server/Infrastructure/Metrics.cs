using DocEngine.Core.Previews;
using DocEngine.Core.Storage;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace DocEngine.Server.Infrastructure;

/// <summary>Prometheus scrape endpoint settings, bound from <c>DocEngine:Metrics</c>.</summary>
public sealed class MetricsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "DocEngine:Metrics";

    /// <summary>Whether metrics are collected and served; true by default.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The path Prometheus scrapes with a plain GET; "/metrics" by default.</summary>
    public string Path { get; set; } = "/metrics";
}

/// <summary>OpenTelemetry metrics (ASP.NET Core per-RPC requests, the runtime, the DocEngine meter with the batch queue's depth), served for Prometheus to scrape.</summary>
public static class Metrics
{
    /// <summary>Collects the metrics unless <c>DocEngine:Metrics:Enabled</c> is false.</summary>
    public static WebApplicationBuilder AddDocEngineMetrics(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new MetricsOptions();
        builder.Services.AddSingleton(options);
        if (!options.Enabled)
        {
            return builder;
        }
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("docengine")) // target_info says "unknown_service:DocEngine.Server" otherwise
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation() // http.server.request.duration, whose http.route is the gRPC method
                .AddMeter("Microsoft.AspNetCore.Server.Kestrel") // connections, rejected connections, and why each connection ended (timeouts: issue 17)
                .AddRuntimeInstrumentation()
                .AddMeter(DocEngineMetrics.MeterName)
                .AddPrometheusExporter());
        return builder;
    }

    /// <summary>
    /// Maps the scrape endpoint. It is a plain HTTP endpoint, so the API key (a gRPC interceptor) does not apply, as
    /// Prometheus expects; keep it off the public listener with the network or a reverse proxy.
    /// </summary>
    public static WebApplication MapDocEngineMetrics(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<MetricsOptions>();
        if (!options.Enabled)
        {
            return app;
        }
        var mutool = app.Services.GetRequiredService<PreviewRenderer>().Mutool;
        DocEngineMetrics.ObserveRenderer(mutool, () => mutool.Slots);
        var batches = app.Services.GetRequiredService<IBatchWorkStore>();
        DocEngineMetrics.ObserveBatchQueue(batches, batches.CountOpenItemsAsync);
        // Scrapes are not requests to the service: left out so they don't crowd http.server.request.duration.
        app.MapPrometheusScrapingEndpoint(options.Path).DisableHttpMetrics();
        return app;
    }
}
