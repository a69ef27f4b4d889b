extern alias server;

using Grpc.Core;

namespace DocEngine.Tests.Infrastructure;

/// <summary>A ServerCallContext for calling service classes directly, already authenticated as a tenant.</summary>
internal sealed class TestCallContext : ServerCallContext
{
    private readonly Metadata _requestHeaders = [];
    private readonly Metadata _responseTrailers = [];
    private readonly Dictionary<object, object> _userState = [];
    private Status _status;
    private WriteOptions? _writeOptions;

    public static TestCallContext For(string tenant)
    {
        var context = new TestCallContext();
        context._userState["docengine.caller"] = new server::DocEngine.Server.Infrastructure.Caller(tenant, "key:test", Grant: null);
        return context;
    }

    protected override string MethodCore => "/docengine.v1.Test/Call";
    protected override string HostCore => "localhost";
    protected override string PeerCore => "ipv4:127.0.0.1:1";
    protected override DateTime DeadlineCore => DateTime.MaxValue;
    protected override Metadata RequestHeadersCore => _requestHeaders;
    protected override CancellationToken CancellationTokenCore => CancellationToken.None;
    protected override Metadata ResponseTrailersCore => _responseTrailers;
    protected override Status StatusCore { get => _status; set => _status = value; }
    protected override WriteOptions? WriteOptionsCore { get => _writeOptions; set => _writeOptions = value; }
    protected override AuthContext AuthContextCore => new(null, []);
    protected override IDictionary<object, object> UserStateCore => _userState;

    protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();

    protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
}
