using DocEngine.Cli.Common;
using Grpc.Core;

namespace DocEngine.Cli.Commands.Bench;

/// <summary>
/// The channels the callers share: one per <see cref="CallersPerChannel"/> callers, each the CLI's own
/// <see cref="ServerConnection"/> channel (multiple HTTP/2 connections enabled, large stream windows, the credential on every call).
/// </summary>
internal sealed class BenchChannels : IDisposable
{
    /// <summary>
    /// Callers per channel. Kestrel reads each HTTP/2 connection's frames in order, so one connection for every caller
    /// would measure that queue; a few callers per connection spread the load the way many portal clients would.
    /// </summary>
    public const int CallersPerChannel = 4;

    private readonly ServerConnection[] _connections;

    /// <summary>Opens enough channels to <paramref name="url"/> for <paramref name="callers"/> callers (they connect on first use).</summary>
    public BenchChannels(string url, Credential credential, int callers)
    {
        _connections = new ServerConnection[(callers + CallersPerChannel - 1) / CallersPerChannel];
        for (var i = 0; i < _connections.Length; i++)
        {
            _connections[i] = ServerConnection.Open(url, credential, retryWhenRateLimited: false); // a refusal is a result: counted, never hidden
        }
    }

    /// <summary>How many channels there are.</summary>
    public int Count => _connections.Length;

    /// <summary>The invoker caller <paramref name="caller"/> uses: callers are dealt out across the channels in turn.</summary>
    public CallInvoker For(int caller) => _connections[caller % _connections.Length].Invoker;

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var connection in _connections)
        {
            connection.Dispose();
        }
    }
}
