using System.Threading.Channels;
using DocEngine.Core.Receipts;

namespace DocEngine.Server.Infrastructure;

/// <summary>
/// Issues receipts right after uploads complete, off the request path: the upload answers at once, and the receipt
/// (with its signature verdict and page count) is ready moments later. GetReceipt issues any still missing itself.
/// </summary>
public sealed class ReceiptIssuerService(ReceiptService receipts, ILogger<ReceiptIssuerService> logger) : BackgroundService
{
    private readonly Channel<(string Tenant, string ApplicationId)> _queue = Channel.CreateBounded<(string, string)>(
        new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });

    /// <summary>Asks for the application's missing receipts to be issued soon.</summary>
    public void Enqueue(string tenant, string applicationId) => _queue.Writer.TryWrite((tenant, applicationId));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var (tenant, applicationId) in _queue.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                using var background = Core.Workers.WorkerPool.Background(); // no one waits on these: leave a worker free
                await receipts.IssuePendingAsync(tenant, applicationId, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ServerLog.ReceiptIssueFailed(logger, e);
            }
        }
    }
}
