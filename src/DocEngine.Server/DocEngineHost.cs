using System.Net.Sockets;
using DocEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Connections;

namespace DocEngine.Server;

/// <summary>
/// Building and running the server so that it starts the same from any folder, and a failure to start reads as one
/// sentence saying what to do, not as a crash with a stack trace.
/// </summary>
public static class DocEngineHost
{
    /// <summary>
    /// The builder, rooted at the binary's folder: appsettings.json (HTTP/2 for gRPC, limits) is found whatever the current
    /// directory, and so is the data directory when it is relative.
    /// </summary>
    public static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        // The host logs a failed start as a stack trace; RunDocEngineAsync says it in a sentence instead.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.None);
        return builder;
    }

    /// <summary>Runs the server until it is stopped; 0 after a clean stop, 1 with one sentence on stderr when it cannot start.</summary>
    public static async Task<int> RunDocEngineAsync(this WebApplication app)
    {
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (Exception e) when (Explain(e) is { } sentence)
        {
            await Console.Error.WriteLineAsync(sentence);
            ServerLog.StartFailed(app.Logger, e.GetType().Name);
            return 1;
        }
    }

    /// <summary>A sentence for a failure to start, or null for one we do not recognise (then the runtime reports it).</summary>
    internal static string? Explain(Exception failure)
    {
        var inner = failure;
        while (inner.InnerException is not null && inner is not (AddressInUseException or DocEngine.Core.Common.DocEngineException))
        {
            inner = inner.InnerException;
        }
        return inner switch
        {
            AddressInUseException or SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } =>
                $"DocEngine cannot start: {AddressOf(failure)} is already in use by another program. Stop that program, or start DocEngine on another port "
                + "(--urls http://localhost:PORT, or Kestrel__Endpoints__Grpc__Url=http://localhost:PORT in Development).",
            SocketException { SocketErrorCode: SocketError.AccessDenied } =>
                $"DocEngine cannot start: this user may not listen on {AddressOf(failure)}. Use a port above 1023, or run it as a user allowed to bind that port.",
            DocEngine.Core.Common.DocEngineException refusal => "DocEngine cannot start: " + refusal.Message,
            UnauthorizedAccessException denied => $"DocEngine cannot start: {denied.Message} Give the user running DocEngine access to its data directory (DocEngine:DataDirectory).",
            _ => null,
        };
    }

    private static string AddressOf(Exception failure) =>
        failure.Message.IndexOf("http", StringComparison.Ordinal) is var start and >= 0
            ? failure.Message[start..].Split(':', 3) switch { [var scheme, var host, var rest] => $"{scheme}:{host}:{new string(rest.TakeWhile(char.IsDigit).ToArray())}", _ => "the port" }
            : "the port";
}
