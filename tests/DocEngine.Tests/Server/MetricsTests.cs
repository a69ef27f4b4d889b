using System.Globalization;
using System.Net;
using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Server;

/// <summary>The Prometheus scrape endpoint answers a plain GET without an API key and carries per-RPC, byte, renderer and batch queue metrics.</summary>
public sealed class MetricsTests(DocEngineFactory factory) : IClassFixture<DocEngineFactory>
{
    private const string UploadRoute = "http_route=\"/docengine.v1.UploadService/Upload\"";

    [Fact]
    public async Task Metrics_are_served_without_an_api_key_and_count_an_upload_by_rpc_and_bytes()
    {
        var data = TestData.Bytes(50_000, seed: 81);
        await Clients.UploadStreamingAsync(factory.Invoker(), data, filename: "metrics.bin");
        using var http = factory.CreateClient(); // no authorization header

        // The request duration is recorded as the RPC's response ends, which can be just after the client has it, and
        // the exporter caches a scrape for a moment: poll briefly rather than race either.
        var (response, body) = await ScrapeAsync(http);
        for (var tries = 0; tries < 50 && !body.Contains(UploadRoute, StringComparison.Ordinal); tries++)
        {
            await Task.Delay(200);
            response.Dispose();
            (response, body) = await ScrapeAsync(http);
        }

        using (response)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains(response.Content.Headers.ContentType?.MediaType, new[] { "text/plain", "application/openmetrics-text" });
        }
        Assert.True(Value(body, "docengine_upload_bytes") >= data.Length, body);
        Assert.Contains(body.Split('\n'), line => line.StartsWith("http_server_request_duration_seconds_count{", StringComparison.Ordinal)
            && line.Contains(UploadRoute, StringComparison.Ordinal));
        Assert.Contains(body.Split('\n'), line => line.StartsWith("docengine_renderer_capacity", StringComparison.Ordinal));
        // The batch queue's depth (issue 8), read from the metadata store: nothing is queued here, so 0 or more.
        Assert.True(Value(body, "docengine_batch_items_pending") >= 0, body);
        Assert.Contains(body.Split('\n'), line => line.StartsWith("docengine_batch_items_pending", StringComparison.Ordinal));
        Assert.Contains(body.Split('\n'), line => line.StartsWith("docengine_batch_items_leased", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Metrics_can_be_turned_off()
    {
        await using var off = new MetricsOffFactory();
        using var http = off.CreateClient();
        using var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static async Task<(HttpResponseMessage Response, string Body)> ScrapeAsync(HttpClient http)
    {
        var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
        return (response, await response.Content.ReadAsStringAsync());
    }

    /// <summary>The sum of a metric's samples (every label set), read from the exposition text.</summary>
    private static double Value(string body, string metric) => body.Split('\n')
        .Where(line => line.StartsWith(metric, StringComparison.Ordinal))
        .Select(line => line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0])
        .Sum(value => double.Parse(value, CultureInfo.InvariantCulture));

    private sealed class MetricsOffFactory() : DocEngineFactory(new Dictionary<string, string?> { ["DocEngine:Metrics:Enabled"] = "false" });
}
