extern alias server;

using System.Net;
using System.Net.Sockets;
using DocEngine.Core.Uploads;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace DocEngine.Tests.Infrastructure;

/// <summary>
/// The real server (Program, AddDocEngine, real SQLite and blob files in a temp directory) hosted in the test process:
/// in memory by default, or on real Kestrel sockets on loopback. Two tenants, A and B, each have a key.
/// </summary>
public class DocEngineFactory : WebApplicationFactory<server::Program>
{
    public const string KeyA = "test-key-tenant-a";
    public const string KeyB = "test-key-tenant-b";

    private readonly TempDirectory _data = new();
    private readonly IReadOnlyDictionary<string, string?> _settings;
    private readonly bool _kestrel;
    private int _http2Port;
    private int _http1Port;

    public DocEngineFactory() : this(new Dictionary<string, string?>())
    {
    }

    protected DocEngineFactory(IReadOnlyDictionary<string, string?> settings, bool kestrel = false)
    {
        _settings = settings;
        _kestrel = kestrel;
        if (kestrel)
        {
            _http2Port = FreePort();
            _http1Port = FreePort();
            UseKestrel(options =>
            {
                options.Listen(IPAddress.Loopback, _http2Port, listen => listen.Protocols = HttpProtocols.Http2);
                options.Listen(IPAddress.Loopback, _http1Port, listen => listen.Protocols = HttpProtocols.Http1);
            });
        }
    }

    public string DataDirectory => _data.Path;

    /// <summary>The HTTP/2 listener's URL, started on first use (on Kestrel only), for clients that open their own channel.</summary>
    public string GrpcUrl
    {
        get
        {
            StartServer();
            return $"http://127.0.0.1:{_http2Port}";
        }
    }

    public FakeTime Time { get; } = new();

    public UploadManager Uploads => Services.GetRequiredService<UploadManager>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Logging:LogLevel:Default", "Warning"); // the test log lists outcomes; server chatter hides them
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Warning");
        builder.UseSetting("DocEngine:DataDirectory", _data.Path);
        builder.UseSetting("DocEngine:ApiKeys:0:Key", KeyA);
        builder.UseSetting("DocEngine:ApiKeys:0:Tenant", "tenant-a");
        builder.UseSetting("DocEngine:ApiKeys:1:Key", KeyB);
        builder.UseSetting("DocEngine:ApiKeys:1:Tenant", "tenant-b");
        builder.UseSetting("DocEngine:Limits:TenantRequestsPerSecond", "0"); // tests that are about rate limits set their own
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureServices(services => services.AddSingleton<TimeProvider>(Time));
    }

    /// <summary>
    /// A call invoker carrying <paramref name="apiKey"/> (none when null). <paramref name="grpcWeb"/> goes through the
    /// gRPC-Web handler, as a browser would; on Kestrel it also uses the HTTP/1.1 listener, as a browser on plain HTTP must.
    /// </summary>
    public CallInvoker Invoker(string? apiKey = KeyA, bool grpcWeb = false)
    {
        HttpMessageHandler handler;
        Uri address;
        if (_kestrel)
        {
            StartServer();
            handler = new SocketsHttpHandler { EnableMultipleHttp2Connections = true, InitialHttp2StreamWindowSize = 8 << 20 };
            address = new Uri($"http://127.0.0.1:{(grpcWeb ? _http1Port : _http2Port)}");
        }
        else
        {
            handler = Server.CreateHandler();
            address = Server.BaseAddress;
        }
        if (grpcWeb)
        {
            handler = new GrpcWebHandler(GrpcWebMode.GrpcWeb, handler);
        }
        var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = handler,
            HttpVersion = grpcWeb && _kestrel ? HttpVersion.Version11 : null,
            MaxReceiveMessageSize = 16 << 20,
            MaxSendMessageSize = 16 << 20,
        });
        return apiKey is null
            ? channel.CreateCallInvoker()
            : channel.Intercept(headers =>
            {
                headers.Add("authorization", "Bearer " + apiKey);
                return headers;
            });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _data.Dispose();
        }
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>The server on real Kestrel sockets: HTTP/2 for native gRPC, HTTP/1.1 for gRPC-Web as a browser on plain HTTP uses.</summary>
public sealed class KestrelDocEngineFactory() : DocEngineFactory(new Dictionary<string, string?>(), kestrel: true);

/// <summary>The server with small limits, to test at each limit and one past it: 1 MiB per upload, 256 KiB per chunk, 2 uploads per tenant at once.</summary>
public sealed class SmallLimitsFactory() : DocEngineFactory(new Dictionary<string, string?>
{
    ["DocEngine:Uploads:MaxUploadBytes"] = (1 << 20).ToString(System.Globalization.CultureInfo.InvariantCulture),
    ["DocEngine:Uploads:MaxChunkBytes"] = (256 << 10).ToString(System.Globalization.CultureInfo.InvariantCulture),
    ["DocEngine:Uploads:MaxConcurrentUploadsPerTenant"] = "2",
});

/// <summary>The server with a renderer path that does not exist, as on a machine without mupdf-tools.</summary>
public sealed class MissingRendererFactory() : DocEngineFactory(new Dictionary<string, string?>
{
    ["DocEngine:Previews:MutoolPath"] = "/nonexistent/mutool",
});
