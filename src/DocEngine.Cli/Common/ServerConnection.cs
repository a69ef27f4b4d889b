using System.CommandLine;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace DocEngine.Cli.Common;

/// <summary>
/// The <c>--server</c>, <c>--api-key</c> and <c>--token</c> options every server command takes, and the channel they open:
/// every call carries the credential, and a call refused for its rate is retried after the wait the server names.
/// </summary>
public sealed class ServerConnection : IDisposable
{
    /// <summary>The key the Development environment ships with (appsettings.Development.json), used when none is given.</summary>
    public const string DevelopmentApiKey = "docengine-development-key";

    /// <summary>Where a freshly started server listens.</summary>
    public const string DefaultServer = "http://localhost:5080";

    private readonly GrpcChannel _channel;

    private readonly bool _resumable;

    private ServerConnection(string url, Credential credential, bool resumable, bool retryWhenRateLimited)
    {
        Url = url;
        Credential = credential;
        _resumable = resumable;
        _channel = GrpcChannel.ForAddress(url, new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = true,
                // Large stream windows keep a long-distance link busy; the server's are tuned the same way.
                InitialHttp2StreamWindowSize = 8 << 20,
                KeepAlivePingDelay = TimeSpan.FromSeconds(30),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(20),
                ConnectTimeout = TimeSpan.FromSeconds(15),
            },
            MaxReceiveMessageSize = 16 << 20,
            MaxSendMessageSize = 16 << 20,
        });
        var invoker = _channel.Intercept(headers =>
        {
            headers.Add("authorization", "Bearer " + credential.Value);
            return headers;
        });
        Invoker = retryWhenRateLimited ? invoker.Intercept(new RateLimitRetry()) : invoker;
    }

    /// <summary>What the calls are made with.</summary>
    public Credential Credential { get; }

    /// <summary>The server URL.</summary>
    public string Url { get; }

    /// <summary>Calls through this invoker carry the credential.</summary>
    public CallInvoker Invoker { get; }

    /// <summary>The server to use when none is named: env DOCENGINE_SERVER, else <see cref="DefaultServer"/>.</summary>
    public static string DefaultUrl() =>
        Environment.GetEnvironmentVariable("DOCENGINE_SERVER") is { Length: > 0 } fromEnv ? fromEnv : DefaultServer;

    /// <summary>Adds <c>--server</c>, <c>--api-key</c> and <c>--token</c> to a command.</summary>
    public static (Option<string> Server, CredentialOptions Credentials) AddOptions(Command command)
    {
        var server = new Option<string>("--server")
        {
            Description = $"DocEngine server URL (default: env DOCENGINE_SERVER, else {DefaultServer})",
            DefaultValueFactory = _ => DefaultUrl(),
        };
        command.Add(server);
        return (server, CredentialOptions.AddTo(command));
    }

    /// <summary>Opens a channel from the parsed options.</summary>
    public static ServerConnection Open(ParseResult parse, (Option<string> Server, CredentialOptions Credentials) options) =>
        Open(parse.GetValue(options.Server)!, options.Credentials.Resolve(parse), ExitCodes.IsResumable(parse.CommandResult.Command.Name));

    /// <summary>
    /// Opens a channel to <paramref name="url"/> that sends <paramref name="credential"/>. <paramref name="resumable"/> says
    /// whether running the command again continues its work (upload, download); <paramref name="retryWhenRateLimited"/>
    /// off leaves rate-limit refusals to the caller (the load generator counts them).
    /// </summary>
    public static ServerConnection Open(string url, Credential credential, bool resumable = false, bool retryWhenRateLimited = true)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliFailure(ExitCodes.Usage, $"--server must be an http:// or https:// URL, not '{url}'.");
        }
        return new ServerConnection(url, credential, resumable, retryWhenRateLimited);
    }

    /// <summary>Turns a failed call into the exit code and sentence the CLI contract promises.</summary>
    public CliFailure Explain(RpcException e) => WrongProtocol(e) ? new CliFailure(ExitCodes.Unreachable,
            $"The server at {Url} speaks only HTTP/1.1 there, but the CLI calls gRPC over HTTP/2: point --server at DocEngine's gRPC listener "
            + $"(http://localhost:5080 in Development; 5081 is the browsers' port), or start the server with its appsettings.json so it listens with HTTP/2.")
        : e.StatusCode switch
    {
        StatusCode.ResourceExhausted when RateLimitRetry.DelayOf(e) is not null => new CliFailure(ExitCodes.Unreachable,
            $"{e.Status.Detail} (still refused after {RateLimitRetry.MaxRetries} retries; run the command again later)"),
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.ResourceExhausted or StatusCode.OutOfRange
            or StatusCode.NotFound or StatusCode.AlreadyExists or StatusCode.DataLoss => new CliFailure(ExitCodes.Refused, e.Status.Detail),
        StatusCode.Unavailable or StatusCode.DeadlineExceeded => new CliFailure(ExitCodes.Unreachable,
            $"Cannot reach the DocEngine server at {Url}: start it (dotnet run --project src/DocEngine.Server) or pass --server."
            + (_resumable ? " Run the same command again to resume." : "")),
        StatusCode.Unauthenticated or StatusCode.PermissionDenied or StatusCode.Unimplemented => new CliFailure(ExitCodes.Unreachable, e.Status.Detail),
        _ => new CliFailure(ExitCodes.Other, $"The server failed: {e.Status.Detail}"),
    };

    /// <summary>True when the call failed because the server speaks only HTTP/1.1 there (HTTP_1_1_REQUIRED, or no HTTP/2 handshake).</summary>
    private static bool WrongProtocol(RpcException e)
    {
        for (var cause = e.Status.DebugException; cause is not null; cause = cause.InnerException)
        {
            // HTTP_1_1_REQUIRED, or (depending on when the listener gives up on the preface) a handshake it never completes,
            // which .NET reports as a protocol error or, when the listener closes first, as another kind of request error
            // with the same words (CI at 0931bba).
            if (cause is HttpProtocolException { ErrorCode: 0xd }
                || (cause is HttpRequestException refused && refused.Message.Contains("HTTP/2 handshake", StringComparison.Ordinal)))
            {
                return true;
            }
        }
        return false;
    }

    /// <inheritdoc />
    public void Dispose() => _channel.Dispose();
}
