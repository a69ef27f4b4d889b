using System.CommandLine;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;

namespace DocEngine.Cli.Common;

/// <summary>The <c>--server</c> and <c>--api-key</c> options every server command takes, and the channel they open.</summary>
public sealed class ServerConnection : IDisposable
{
    /// <summary>The key the Development environment ships with (appsettings.Development.json), used when none is given.</summary>
    public const string DevelopmentApiKey = "docengine-development-key";

    /// <summary>Where a freshly started server listens.</summary>
    public const string DefaultServer = "http://localhost:5080";

    private readonly GrpcChannel _channel;

    private readonly bool _resumable;

    private ServerConnection(string url, string apiKey, bool resumable)
    {
        Url = url;
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
        Invoker = _channel.Intercept(headers =>
        {
            headers.Add("authorization", "Bearer " + apiKey);
            return headers;
        });
    }

    /// <summary>The server URL.</summary>
    public string Url { get; }

    /// <summary>Calls through this invoker carry the API key.</summary>
    public CallInvoker Invoker { get; }

    /// <summary>The server to use when none is named: env DOCENGINE_SERVER, else <see cref="DefaultServer"/>.</summary>
    public static string DefaultUrl() =>
        Environment.GetEnvironmentVariable("DOCENGINE_SERVER") is { Length: > 0 } fromEnv ? fromEnv : DefaultServer;

    /// <summary>Adds <c>--server</c> and <c>--api-key</c> to a command.</summary>
    public static (Option<string> Server, Option<string?> ApiKey) AddOptions(Command command)
    {
        var server = new Option<string>("--server")
        {
            Description = $"DocEngine server URL (default: env DOCENGINE_SERVER, else {DefaultServer})",
            DefaultValueFactory = _ => DefaultUrl(),
        };
        var apiKey = new Option<string?>("--api-key")
        {
            Description = "API key (default: env DOCENGINE_API_KEY, else the Development key)",
        };
        command.Add(server);
        command.Add(apiKey);
        return (server, apiKey);
    }

    /// <summary>Opens a channel from the parsed options.</summary>
    public static ServerConnection Open(ParseResult parse, (Option<string> Server, Option<string?> ApiKey) options) =>
        Open(parse.GetValue(options.Server)!, parse.GetValue(options.ApiKey), ExitCodes.IsResumable(parse.CommandResult.Command.Name));

    /// <summary>
    /// Opens a channel to <paramref name="url"/>; the key defaults to env DOCENGINE_API_KEY, then the Development key.
    /// <paramref name="resumable"/> says whether running the command again continues its work (upload, download).
    /// </summary>
    public static ServerConnection Open(string url, string? apiKey, bool resumable = false)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new CliFailure(ExitCodes.Usage, $"--server must be an http:// or https:// URL, not '{url}'.");
        }
        var key = apiKey ?? (Environment.GetEnvironmentVariable("DOCENGINE_API_KEY") is { Length: > 0 } fromEnv ? fromEnv : DevelopmentApiKey);
        return new ServerConnection(url, key, resumable);
    }

    /// <summary>Turns a failed call into the exit code and sentence the CLI contract promises.</summary>
    public CliFailure Explain(RpcException e) => WrongProtocol(e) ? new CliFailure(ExitCodes.Unreachable,
            $"The server at {Url} speaks only HTTP/1.1 there, but the CLI calls gRPC over HTTP/2: point --server at DocEngine's gRPC listener "
            + $"(http://localhost:5080 in Development; 5081 is the browsers' port), or start the server with its appsettings.json so it listens with HTTP/2.")
        : e.StatusCode switch
    {
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.ResourceExhausted or StatusCode.OutOfRange
            or StatusCode.NotFound or StatusCode.AlreadyExists or StatusCode.DataLoss => new CliFailure(ExitCodes.Refused, e.Status.Detail),
        StatusCode.Unavailable or StatusCode.DeadlineExceeded => new CliFailure(ExitCodes.Unreachable,
            $"Cannot reach the DocEngine server at {Url}: start it (dotnet run --project src/DocEngine.Server) or pass --server."
            + (_resumable ? " Run the same command again to resume." : "")),
        StatusCode.Unauthenticated or StatusCode.PermissionDenied or StatusCode.Unimplemented => new CliFailure(ExitCodes.Unreachable, e.Status.Detail),
        _ => new CliFailure(ExitCodes.Other, $"The server failed: {e.Status.Detail}"),
    };

    /// <summary>True when the call failed because the server answered HTTP/2 with HTTP_1_1_REQUIRED (an HTTP/1.1-only listener).</summary>
    private static bool WrongProtocol(RpcException e)
    {
        for (var cause = e.Status.DebugException; cause is not null; cause = cause.InnerException)
        {
            if (cause is HttpProtocolException { ErrorCode: 0xd })
            {
                return true;
            }
        }
        return false;
    }

    /// <inheritdoc />
    public void Dispose() => _channel.Dispose();
}
