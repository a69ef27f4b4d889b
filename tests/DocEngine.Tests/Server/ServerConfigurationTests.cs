using DocEngine.Tests.Infrastructure;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DocEngine.Tests.Server;

/// <summary>Settings from appsettings.json reach the parts they tune.</summary>
public sealed class ServerConfigurationTests(DocEngineFactory factory) : IClassFixture<DocEngineFactory>
{
    [Fact]
    public void The_tuned_http2_windows_reach_kestrel()
    {
        // Without them a 20 ms round trip caps an upload at about 3 MB/s (benchmarks/README.md).
        var limits = factory.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits.Http2;
        Assert.Equal(16 << 20, limits.InitialConnectionWindowSize);
        Assert.Equal(8 << 20, limits.InitialStreamWindowSize);
    }

    [Fact]
    public void The_limits_against_abuse_reach_kestrel()
    {
        // Issue 17: slow senders are cut off, one connection cannot open unbounded streams, dead peers are noticed.
        var limits = factory.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;
        Assert.Equal(TimeSpan.FromSeconds(15), limits.RequestHeadersTimeout);
        Assert.Equal(TimeSpan.FromMinutes(2), limits.KeepAliveTimeout);
        Assert.Equal(100, limits.Http2.MaxStreamsPerConnection);
        Assert.Equal(TimeSpan.FromSeconds(30), limits.Http2.KeepAlivePingDelay);
        Assert.Equal(TimeSpan.FromSeconds(20), limits.Http2.KeepAlivePingTimeout);
        Assert.Equal(240, limits.MinRequestBodyDataRate!.BytesPerSecond);
        Assert.Equal(TimeSpan.FromSeconds(5), limits.MinRequestBodyDataRate.GracePeriod);
    }
}
