using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace DocEngine.Benchmarks;

/// <summary>
/// A TCP forwarder that holds every piece of data for a fixed one-way delay in each direction, so a loopback run sees
/// the round-trip time of a distant applicant (this kernel has no netem). It adds latency, not a bandwidth limit:
/// exactly what HTTP/2 flow-control windows interact with.
/// </summary>
internal sealed class LatencyProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public LatencyProxy(int targetPort, TimeSpan oneWay)
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync(targetPort, oneWay);
    }

    public int Port { get; }

    private async Task AcceptAsync(int targetPort, TimeSpan oneWay)
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _ = Task.Run(async () =>
            {
                using var inbound = client;
                using var outbound = new TcpClient();
                await outbound.ConnectAsync(IPAddress.Loopback, targetPort);
                inbound.NoDelay = outbound.NoDelay = true;
                await Task.WhenAny(
                    PumpAsync(inbound.GetStream(), outbound.GetStream(), oneWay, _stop.Token),
                    PumpAsync(outbound.GetStream(), inbound.GetStream(), oneWay, _stop.Token));
            });
        }
    }

    private static async Task PumpAsync(NetworkStream from, NetworkStream to, TimeSpan delay, CancellationToken cancellationToken)
    {
        var queue = Channel.CreateUnbounded<(byte[] Data, long Due)>();
        var writer = Task.Run(async () =>
        {
            await foreach (var (data, due) in queue.Reader.ReadAllAsync(cancellationToken))
            {
                var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, cancellationToken);
                }
                await to.WriteAsync(data, cancellationToken);
            }
        }, cancellationToken);
        var buffer = new byte[256 << 10];
        try
        {
            int read;
            while ((read = await from.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await queue.Writer.WriteAsync((buffer[..read], Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency)), cancellationToken);
            }
        }
        catch (IOException)
        {
        }
        queue.Writer.TryComplete();
        try
        {
            await writer;
        }
        catch (IOException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
