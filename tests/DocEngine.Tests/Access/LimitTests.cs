using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;
using Google.Rpc;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Xunit.Abstractions;

namespace DocEngine.Tests.Access;

/// <summary>
/// Limits that hold under abuse, on real server processes: a token or a tenant flooding at ten times its rate gets
/// RESOURCE_EXHAUSTED with RetryInfo while another tenant's calls go on; a sender trickling its headers is cut off at the
/// timeout; HTTP/2 connections are told the stream limit. No timing is asserted: latencies are reported, not judged.
/// </summary>
[Collection(AccessServers.Collection)]
public sealed class LimitTests(AccessServers servers, ITestOutputHelper output)
{
    [Fact]
    public async Task A_token_flooding_at_ten_times_its_rate_is_refused_with_retry_info_while_another_tenant_is_served()
    {
        var (application, document) = await servers.NewApplicationWithDocumentAsync();
        var invoker = servers.Node1.Invoker((await servers.MintAsync(application)).Token, oneConnection: true);
        await Connected(invoker);
        var flooder = new DocumentService.DocumentServiceClient(invoker);
        var request = new GetDocumentRequest { Name = document.Name };
        // Ten times the token's rate for five seconds, paced: this is what the limit is for.
        var (ok, refused, _) = await FloodAsync(() => flooder.GetDocumentAsync(request).ResponseAsync, AccessServers.TokenRate * 10, TimeSpan.FromSeconds(5),
            () => servers.Node1.Invoker(ServerProcess.TenantBKey));
        Assert.True(refused > 0, "the flooding token was never refused");
        Assert.True(ok >= AccessServers.TokenBurst, $"the token got only {ok} calls through, fewer than its burst");
    }

    [Fact]
    public async Task A_tenant_flooding_at_ten_times_its_rate_is_refused_with_retry_info_while_another_tenant_is_served()
    {
        var invoker = servers.Node1.Invoker(AccessServers.FloodKey, oneConnection: true);
        await Connected(invoker);
        var flooder = new ApplicationService.ApplicationServiceClient(invoker);
        var request = new ListApplicationsRequest { PageSize = 1 };
        var (ok, refused, _) = await FloodAsync(() => flooder.ListApplicationsAsync(request).ResponseAsync, AccessServers.TenantRate * 10, TimeSpan.FromSeconds(3),
            () => servers.Node1.Invoker(ServerProcess.TenantBKey));
        Assert.True(refused > 0, "the flooding tenant was never refused");
        Assert.True(ok >= AccessServers.TenantBurst, $"the tenant got only {ok} calls through, fewer than its burst");

        // Operators see it: the refusals by caller kind, and Kestrel's own connection metrics beside them.
        using var http = new HttpClient();
        var metrics = await http.GetStringAsync(servers.Node1.WebUrl + "/metrics");
        Assert.Matches(@"docengine_calls_rate_limited_total\{[^}]*caller=""tenant""[^}]*\} [1-9]", metrics);
        Assert.Contains("kestrel_", metrics);
    }

    [Fact]
    public async Task A_sender_trickling_its_headers_is_cut_off_at_the_timeout_and_the_server_stays_healthy()
    {
        var headers = Encoding.ASCII.GetBytes("POST /docengine.v1.ApplicationService/ListApplications HTTP/1.1\r\nHost: x\r\nX-Slow: ");
        // One byte every 250 ms: a connection that would hold the server for minutes if headers had no deadline.
        var (closed, answered, after) = await TrickleAsync([], i => headers.AsMemory(Math.Min(i, headers.Length - 1), 1), TimeSpan.FromMilliseconds(250), 400);
        output.WriteLine($"The trickling sender was cut off after {after.TotalSeconds:F1} s (RequestHeadersTimeout {AccessServers.HeadersTimeout.TotalSeconds} s): {answered.Split('\r')[0]}");
        Assert.True(closed, "the server never closed a connection whose headers trickled in for 100 s");

        using var channel = GrpcChannel.ForAddress(servers.Node1.Url);
        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        var applications = new ApplicationService.ApplicationServiceClient(servers.Node1.Invoker(ServerProcess.TenantBKey));
        await applications.ListApplicationsAsync(new ListApplicationsRequest { PageSize = 1 });
    }

    [Fact]
    public async Task A_request_body_trickling_below_the_minimum_rate_is_cut_off_and_the_server_stays_healthy()
    {
        var start = Encoding.ASCII.GetBytes(
            "POST /docengine.v1.UploadService/AppendUploadChunk HTTP/1.1\r\nHost: x\r\ncontent-type: application/grpc-web+proto\r\n" +
            $"x-grpc-web: 1\r\nauthorization: Bearer {ServerProcess.TenantBKey}\r\ncontent-length: 1000000\r\n\r\n");
        // Then a gRPC-Web frame announcing a message of almost all of it, which the server must read whole before it can act.
        var frame = new byte[5];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), 1_000_000 - 5);
        // Ten bytes a second, far below the 240 B/s minimum: after the 5 s grace period the server stops waiting.
        var (closed, answered, after) = await TrickleAsync([.. start, .. frame], _ => new byte[1], TimeSpan.FromMilliseconds(100), 240);
        output.WriteLine($"The trickling body was cut off after {after.TotalSeconds:F1} s (MinRequestBodyDataRate 240 B/s after 5 s): {answered.Split('\r')[0]}");
        Assert.True(closed, "the server kept waiting for a body trickling at 10 B/s for 24 s");
        // The call fails (grpc-dotnet reads the message before any interceptor runs, so it says so in its own words).
        Assert.True(answered.Length == 0 || answered.Contains("408 Request Timeout", StringComparison.Ordinal) || answered.Contains("Grpc-Status: 2", StringComparison.OrdinalIgnoreCase),
            "the server answered the trickled call as if it had been read: " + answered);
        var applications = new ApplicationService.ApplicationServiceClient(servers.Node1.Invoker(ServerProcess.TenantBKey));
        await applications.ListApplicationsAsync(new ListApplicationsRequest { PageSize = 1 });
    }

    /// <summary>
    /// Sends <paramref name="start"/> to the browsers' HTTP/1.1 listener, then one piece every <paramref name="pause"/>, until
    /// the server answers or closes (or <paramref name="pieces"/> were sent): whether it did, what it answered, and after how long.
    /// </summary>
    private async Task<(bool Closed, string Answered, TimeSpan After)> TrickleAsync(byte[] start, Func<int, ReadOnlyMemory<byte>> piece, TimeSpan pause, int pieces)
    {
        var uri = new Uri(servers.Node1.WebUrl);
        using var slow = new TcpClient();
        await slow.ConnectAsync(uri.Host, uri.Port);
        var stream = slow.GetStream();
        await stream.WriteAsync(start);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < pieces; i++)
        {
            try
            {
                await stream.WriteAsync(piece(i));
                await Task.Delay(pause);
                if (slow.Client.Poll(0, SelectMode.SelectRead))
                {
                    var answer = new byte[1024];
                    var read = await stream.ReadAsync(answer);
                    return (true, Encoding.ASCII.GetString(answer, 0, read), clock.Elapsed); // an answer, or the end of the stream
                }
            }
            catch (IOException)
            {
                return (true, "", clock.Elapsed);
            }
        }
        return (false, "", clock.Elapsed);
    }

    [Fact]
    public async Task An_http2_connection_is_told_the_stream_limit()
    {
        var uri = new Uri(servers.Node1.Url);
        using var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
        await stream.WriteAsync(new byte[] { 0, 0, 0, 4, 0, 0, 0, 0, 0 }); // an empty SETTINGS frame
        var header = new byte[9];
        await stream.ReadExactlyAsync(header);
        Assert.Equal(4, header[3]); // the server's first frame is its SETTINGS
        var payload = new byte[(header[0] << 16) | (header[1] << 8) | header[2]];
        await stream.ReadExactlyAsync(payload);
        var settings = Enumerable.Range(0, payload.Length / 6).ToDictionary(
            i => BinaryPrimitives.ReadUInt16BigEndian(payload.AsSpan(i * 6)), i => BinaryPrimitives.ReadUInt32BigEndian(payload.AsSpan(i * 6 + 2)));
        Assert.Equal(32u, settings[0x3]); // SETTINGS_MAX_CONCURRENT_STREAMS, as Kestrel:Limits:Http2:MaxStreamsPerConnection says
    }

    /// <summary>
    /// Opens the flooder's connection with a health check (no credentials, no rate) before the flood: a connection whose
    /// first burst of calls goes out before the server's SETTINGS frame arrives may open more streams than the listener's
    /// limit (32 here), and those are refused as UNAVAILABLE, which is Kestrel's stream limit, not the rate limit tested.
    /// The flooder's invoker stays on that one connection (<c>oneConnection</c>), so more than 32 calls in flight wait in
    /// the client instead of opening a second connection with the same race.
    /// </summary>
    private static async Task Connected(CallInvoker invoker) => await new Health.HealthClient(invoker).CheckAsync(new HealthCheckRequest());

    /// <summary>
    /// Calls <paramref name="call"/> at <paramref name="perSecond"/> for <paramref name="length"/> while another tenant
    /// (<paramref name="bystander"/>) makes a call every 100 ms; every refusal must be RESOURCE_EXHAUSTED with RetryInfo,
    /// and every call of the bystander must succeed. Reports the bystander's latencies.
    /// </summary>
    private async Task<(int Ok, int Refused, List<double> Latencies)> FloodAsync(Func<Task> call, int perSecond, TimeSpan length, Func<CallInvoker> bystander)
    {
        var other = new ApplicationService.ApplicationServiceClient(bystander());
        var latencies = new List<double>();
        using var stop = new CancellationTokenSource();
        var served = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var clock = Stopwatch.StartNew();
                await other.ListApplicationsAsync(new ListApplicationsRequest { PageSize = 1 }); // throws, failing the test, if refused
                latencies.Add(clock.Elapsed.TotalMilliseconds);
                await Task.Delay(100);
            }
        });
        var calls = new List<Task>();
        var started = Stopwatch.StartNew();
        var total = (int)(perSecond * length.TotalSeconds);
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / perSecond) - started.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }
            calls.Add(call());
        }
        var ok = 0;
        var refused = 0;
        foreach (var task in calls)
        {
            try
            {
                await task;
                ok++;
            }
            catch (RpcException e)
            {
                Assert.True(e.StatusCode == StatusCode.ResourceExhausted, $"a flood call got {e.StatusCode} ({e.Status.Detail}), not RESOURCE_EXHAUSTED");
                var retry = e.GetRpcStatus()?.GetDetail<RetryInfo>();
                Assert.True(retry?.RetryDelay?.ToTimeSpan() > TimeSpan.Zero, "a rate-limit refusal carries RetryInfo with a delay");
                Assert.Equal("RATE_LIMITED", e.GetRpcStatus()?.GetDetail<ErrorInfo>()?.Reason);
                refused++;
            }
        }
        await stop.CancelAsync();
        await served;
        var sorted = latencies.Order().ToList();
        output.WriteLine($"{total} calls at {perSecond}/s over {started.Elapsed.TotalSeconds:F1} s: {ok} served, {refused} refused (RESOURCE_EXHAUSTED + RetryInfo).");
        output.WriteLine($"The other tenant's {sorted.Count} calls meanwhile all succeeded: p50 {Percentile(sorted, 0.5):F1} ms, p99 {Percentile(sorted, 0.99):F1} ms, max {sorted[^1]:F1} ms.");
        return (ok, refused, latencies);
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
