extern alias cli;
using Grpc.Core;
using ExitCodes = cli::DocEngine.Cli.Common.ExitCodes;
using ServerConnection = cli::DocEngine.Cli.Common.ServerConnection;
using CliCredential = cli::DocEngine.Cli.Common.Credential;

namespace DocEngine.Tests.Cli;

/// <summary>
/// How the CLI words a failed call to a port that speaks only HTTP/1.1 (the browsers' listener): .NET reports it in
/// several shapes, depending on when the listener gives up on the HTTP/2 preface, and each must read the same. The
/// real listener is in <see cref="StartupAndHintTests"/>; this pins the shapes seen there, since which one a run sees
/// is a matter of timing.
/// </summary>
public sealed class ServerConnectionTests
{
    private const string NoHandshake = "An HTTP/2 connection could not be established because the server did not complete the HTTP/2 handshake.";

    public static TheoryData<string, Exception> WrongProtocol => new()
    {
        { "HTTP_1_1_REQUIRED", new HttpProtocolException(0xd, "HTTP/2 error code 'HTTP_1_1_REQUIRED' (0xd).", null) },
        { "no handshake, protocol error", new HttpRequestException(HttpRequestError.HttpProtocolError, NoHandshake) },
        { "no handshake, the listener closed first (CI at 0931bba)", new HttpRequestException(HttpRequestError.Unknown, NoHandshake, new IOException("closed")) },
        { "no handshake, wrapped", new InvalidOperationException("call failed", new HttpRequestException(HttpRequestError.ResponseEnded, NoHandshake)) },
    };

    [Theory]
    [MemberData(nameof(WrongProtocol))]
    public void A_listener_that_speaks_only_http1_is_unreachable_with_the_sentence_that_names_the_grpc_port(string shape, Exception cause)
    {
        using var connection = ServerConnection.Open("http://127.0.0.1:5081", new CliCredential("key", IsToken: false));

        var failure = connection.Explain(new RpcException(new Status(StatusCode.Internal, "Error starting gRPC call. " + cause.Message, cause)));

        Assert.True(failure.ExitCode == ExitCodes.Unreachable, $"{shape}: {failure.Message}");
        Assert.Contains("speaks only HTTP/1.1", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_protocol_failure_is_not_mistaken_for_the_http1_listener()
    {
        using var connection = ServerConnection.Open("http://127.0.0.1:5081", new CliCredential("key", IsToken: false));
        var cause = new HttpRequestException(HttpRequestError.HttpProtocolError, "The HTTP/2 server sent invalid data on the connection.");

        var failure = connection.Explain(new RpcException(new Status(StatusCode.Internal, "Error starting gRPC call. " + cause.Message, cause)));

        Assert.Equal(ExitCodes.Other, failure.ExitCode);
        Assert.DoesNotContain("HTTP/1.1", failure.Message, StringComparison.Ordinal);
    }
}
