using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;
using Google.Protobuf;
using Grpc.Core;
using Npgsql;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace DocEngine.Tests.Cluster;

/// <summary>
/// Three stateless nodes over PostgreSQL and Swift (S3) behind nginx, started by deploy/cluster.sh: any node carries any
/// upload on, a killed node loses no acknowledged byte, a batch spreads over the nodes and survives one dying, receipts
/// issued on two nodes form one chain, and the stores going away for a while costs the client a retry, nothing more.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(ClusterFixture cluster)
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [SkippableFact]
    public async Task A_200_MiB_upload_sent_chunk_by_chunk_through_the_balancer_lands_on_every_node_and_keeps_its_hash()
    {
        cluster.RequireOrSkip();
        var data = TestData.Bytes(200 << 20, seed: 14);
        var before = await UploadBytesPerNodeAsync();
        // gRPC-Web's unary appends, each its own call: the balancer hands each to the next node.
        var document = await Clients.UploadUnaryAsync(cluster.Invoker(), data, chunkSize: 4 << 20);
        var after = await UploadBytesPerNodeAsync();

        Assert.Equal(TestData.Sha256(data), document.Sha256);
        Assert.Equal(data.Length, document.SizeBytes);
        for (var node = 0; node < ClusterFixture.Nodes; node++)
        {
            Assert.True(after[node] - before[node] >= 4 << 20, $"Node {node + 1} received {after[node] - before[node]} bytes of the upload; each should have taken chunks.");
        }
        Assert.Equal(data.Length, after.Sum() - before.Sum());
        Assert.Equal(document.Sha256, await Clients.DownloadSha256Async(cluster.Invoker(), document.Name));
        var range = await Clients.DownloadAsync(cluster.Invoker(), document.Name, offset: (100 << 20) + 3, length: 1000);
        Assert.Equal(data.AsSpan((100 << 20) + 3, 1000).ToArray(), range);
    }

    [SkippableFact]
    public async Task A_node_killed_mid_upload_loses_no_acknowledged_byte_and_the_upload_resumes_through_the_balancer()
    {
        cluster.RequireOrSkip();
        var data = TestData.Bytes(120 << 20, seed: 15);
        var killed = 0;
        var before = await UploadBytesPerNodeAsync();
        var uploader = new ResumingUploader(cluster.Invoker(), data)
        {
            OnProgress = async acknowledged =>
            {
                if (killed == 0 && acknowledged >= 24 << 20)
                {
                    // The node receiving the stream is the one whose byte count moved.
                    var now = await UploadBytesPerNodeAsync();
                    killed = Enumerable.Range(0, ClusterFixture.Nodes).MaxBy(n => now[n] - before[n]) + 1;
                    await cluster.KillNodeAsync(killed);
                }
            },
        };
        try
        {
            var document = await uploader.RunAsync(Patience);
            Assert.NotEqual(0, killed);
            Assert.NotEmpty(uploader.Failures);
            Assert.Equal(TestData.Sha256(data), document.Sha256);
            Assert.Equal(document.Sha256, await Clients.DownloadSha256Async(cluster.Invoker(), document.Name));
        }
        finally
        {
            if (killed != 0)
            {
                await cluster.StartNodeAsync(killed);
            }
        }
    }

    [SkippableFact]
    public async Task A_batch_of_300_documents_spreads_over_three_nodes_and_counts_each_exactly_once_when_one_node_is_killed()
    {
        cluster.RequireOrSkip();
        const int count = 300;
        var invoker = cluster.Invoker();
        var application = (await new ApplicationService.ApplicationServiceClient(invoker)
            .CreateApplicationAsync(new CreateApplicationRequest { ApplicationId = "batch-" + Guid.NewGuid().ToString("n")[..8] })).Application;
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (i, token) =>
            await Clients.UploadStreamingAsync(invoker, Png(i), application: application.Name, filename: $"scan-{i:D3}.png", cancellationToken: token));

        var renditionsBefore = await PerNodeAsync("docengine_renditions_made_total");
        var batches = new BatchService.BatchServiceClient(invoker);
        var batch = (await batches.StartBatchAsync(new StartBatchRequest { Parent = application.Name, Operations = { BatchOperation.Preview } })).Batch;
        Assert.Equal(count, batch.Total);
        var victim = 2;
        var killed = false;
        try
        {
            var deadline = DateTime.UtcNow + Patience;
            while (batch.State != BatchState.Completed)
            {
                Assert.True(DateTime.UtcNow < deadline, $"The batch did not finish: {batch}");
                try
                {
                    batch = (await batches.GetBatchAsync(new GetBatchRequest { Name = batch.Name })).Batch;
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
                {
                    continue; // the balancer had not yet noticed the dead node
                }
                if (!killed && batch.Done >= count / 5)
                {
                    await cluster.KillNodeAsync(victim);
                    killed = true;
                }
                await Task.Delay(300);
            }
        }
        finally
        {
            if (killed)
            {
                await cluster.StartNodeAsync(victim);
            }
        }
        Assert.True(killed);
        Assert.Equal((count, (long)count), (batch.Total, batch.Ok + batch.Refused + batch.Failed));
        Assert.Equal(count, batch.Ok);
        await using var connection = new NpgsqlConnection(cluster.Postgres);
        await connection.OpenAsync();
        await using var items = new NpgsqlCommand("SELECT count(*) FILTER (WHERE state = 2), count(*) FROM batch_items WHERE batch_id = @id", connection);
        items.Parameters.AddWithValue("id", batch.Name["batches/".Length..]);
        await using var reader = await items.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal((300L, 300L), (reader.GetInt64(0), reader.GetInt64(1)));
        var renditionsAfter = await PerNodeAsync("docengine_renditions_made_total", skip: victim);
        Assert.True(Enumerable.Range(0, ClusterFixture.Nodes).Where(n => n != victim - 1).All(n => renditionsAfter[n] > renditionsBefore[n]),
            "Every surviving node should have drawn previews for the batch.");
    }

    [SkippableFact]
    public async Task Receipts_issued_on_two_nodes_at_once_form_one_unbroken_chain()
    {
        cluster.RequireOrSkip();
        var invoker = cluster.Invoker();
        var application = (await new ApplicationService.ApplicationServiceClient(invoker)
            .CreateApplicationAsync(new CreateApplicationRequest { ApplicationId = "receipts-" + Guid.NewGuid().ToString("n")[..8] })).Application;
        var documents = new List<Document>();
        for (var i = 0; i < 12; i++)
        {
            documents.Add(await Clients.UploadStreamingAsync(invoker, TestData.Bytes(2000 + i, seed: 100 + i), application: application.Name, filename: $"d{i}.bin"));
        }
        var one = new ReceiptService.ReceiptServiceClient(cluster.NodeInvoker(1));
        var two = new ReceiptService.ReceiptServiceClient(cluster.NodeInvoker(2));
        await Task.WhenAll(documents.AsEnumerable().Reverse().SelectMany(d => new[]
        {
            one.GetReceiptAsync(new GetReceiptRequest { Name = d.Name }).ResponseAsync,
            two.GetReceiptAsync(new GetReceiptRequest { Name = d.Name }).ResponseAsync,
        }));

        var chain = (await new ReceiptService.ReceiptServiceClient(invoker).ListReceiptsAsync(new ListReceiptsRequest { Parent = application.Name, PageSize = 100 })).Receipts;
        Assert.Equal(Enumerable.Range(1, 12).Select(i => (long)i), chain.Select(r => r.Sequence));
        Assert.Equal(12, chain.Select(r => r.Name).Distinct().Count());
        Assert.Equal("", chain[0].PreviousReceiptSha256);
        for (var i = 1; i < chain.Count; i++)
        {
            Assert.Equal(chain[i - 1].Sha256, chain[i].PreviousReceiptSha256);
        }
        Assert.Single(chain.Select(r => r.KeyId).Distinct()); // one signing key, shared by the nodes, never one per node
        var keysOne = (await one.GetReceiptKeysAsync(new GetReceiptKeysRequest())).JwksJson;
        Assert.Equal(keysOne, (await two.GetReceiptKeysAsync(new GetReceiptKeysRequest())).JwksJson);
    }

    [SkippableFact]
    public async Task PostgreSQL_restarting_and_S3_stopped_for_10_seconds_during_an_upload_cost_retries_with_a_sentence_and_no_byte()
    {
        cluster.RequireOrSkip();
        var data = TestData.Bytes(64 << 20, seed: 16);
        var step = 0;
        var uploader = new ResumingUploader(cluster.Invoker(), data)
        {
            // 3 MiB/s: the 64 MiB take about 20 s, so both outages begin while bytes are still arriving.
            BytesPerSecond = 3 << 20,
            OnProgress = async acknowledged =>
            {
                if (step == 0 && acknowledged >= 16 << 20)
                {
                    step = 1;
                    await cluster.RestartPostgresAsync();
                }
                else if (step == 1 && acknowledged >= 36 << 20)
                {
                    step = 2;
                    await cluster.StopS3Async();
                    _ = Task.Run(async () =>
                    {
                        await Task.Delay(TimeSpan.FromSeconds(10));
                        await cluster.StartS3Async();
                        step = 3;
                    });
                }
            },
        };
        var document = await uploader.RunAsync(Patience);
        for (var wait = 0; step != 3 && wait < 600; wait++)
        {
            await Task.Delay(100);
        }
        Assert.Equal(3, step);
        Assert.Equal(TestData.Sha256(data), document.Sha256);
        var unavailable = uploader.Failures.Where(f => f.StatusCode == StatusCode.Unavailable).ToList();
        Assert.NotEmpty(unavailable);
        // Which store answers first decides the sentence: "…retry in a few seconds…" (the store) or "…the first N bytes of this
        // upload are safe: resume from there in a few seconds." (an upload's commit); either tells the person what to do.
        Assert.Contains(unavailable, f => (f.Status.Detail.Contains("retry in a few seconds", StringComparison.Ordinal)
                || f.Status.Detail.Contains("resume from there in a few seconds", StringComparison.Ordinal))
            && !f.Status.Detail.Contains("   at ", StringComparison.Ordinal));
        for (var node = 1; node <= ClusterFixture.Nodes; node++)
        {
            // No node crashed: each still answers on its own address.
            await new ApplicationService.ApplicationServiceClient(cluster.NodeInvoker(node)).ListApplicationsAsync(new ListApplicationsRequest { PageSize = 1 });
        }
        Assert.Equal(document.Sha256, await Clients.DownloadSha256Async(cluster.Invoker(), document.Name));
    }

    [SkippableFact]
    public async Task Another_tenant_sees_nothing_on_the_shared_stores()
    {
        cluster.RequireOrSkip();
        var mine = cluster.Invoker();
        var theirs = cluster.Invoker(ClusterFixture.TenantBKey);
        var document = await Clients.UploadStreamingAsync(mine, TestData.Bytes(5000, seed: 17));
        await Clients.AssertRefusedAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND",
            () => new DocumentService.DocumentServiceClient(theirs).GetDocumentAsync(new GetDocumentRequest { Name = document.Name }).ResponseAsync);
        await Clients.AssertRefusedAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND", () => Clients.DownloadAsync(theirs, document.Name));
        await Clients.AssertRefusedAsync(StatusCode.NotFound, "APPLICATION_NOT_FOUND",
            () => new ApplicationService.ApplicationServiceClient(theirs).GetApplicationAsync(new GetApplicationRequest { Name = document.Application }).ResponseAsync);
        var listed = await new ApplicationService.ApplicationServiceClient(theirs).ListApplicationsAsync(new ListApplicationsRequest { PageSize = 1000 });
        Assert.DoesNotContain(listed.Applications, a => a.Name == document.Application);
        await Clients.AssertRefusedAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND",
            () => new ReceiptService.ReceiptServiceClient(theirs).GetReceiptAsync(new GetReceiptRequest { Name = document.Name }).ResponseAsync);
    }

    [SkippableFact]
    public async Task An_applicant_token_minted_on_one_node_opens_its_application_on_every_node_and_a_revocation_on_another_reaches_them_all()
    {
        cluster.RequireOrSkip();
        var document = await Clients.UploadStreamingAsync(cluster.NodeInvoker(1), TestData.Bytes(5000, seed: 18));
        // The signing key is the one the first node stored in PostgreSQL, so a token minted on node 1 is good on all of them.
        var minted = await new AccessService.AccessServiceClient(cluster.NodeInvoker(1)).CreateAccessTokenAsync(
            new CreateAccessTokenRequest { Application = document.Application, Permissions = { AccessPermission.Read } });
        for (var node = 1; node <= ClusterFixture.Nodes; node++)
        {
            var read = await new DocumentService.DocumentServiceClient(cluster.NodeInvoker(node, minted.Token)).GetDocumentAsync(new GetDocumentRequest { Name = document.Name });
            Assert.Equal(document.Sha256, read.Document.Sha256);
        }

        await new AccessService.AccessServiceClient(cluster.NodeInvoker(2)).RevokeAccessTokenAsync(new RevokeAccessTokenRequest { Name = minted.AccessToken.Name });
        // Every node reloads the revoked ids from the shared store each second (and looks a token up itself when its list is stale).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        for (var node = 1; node <= ClusterFixture.Nodes; node++)
        {
            while (true)
            {
                var refused = await Record.ExceptionAsync(() => new DocumentService.DocumentServiceClient(cluster.NodeInvoker(node, minted.Token))
                    .GetDocumentAsync(new GetDocumentRequest { Name = document.Name }).ResponseAsync);
                if (refused is RpcException { StatusCode: StatusCode.Unauthenticated } e)
                {
                    Assert.Contains("revoked", e.Status.Detail, StringComparison.Ordinal);
                    break;
                }
                Assert.True(DateTime.UtcNow < deadline, $"Node {node} still accepts a token revoked on node 2 ({refused?.Message ?? "no refusal"}).");
                await Task.Delay(250);
            }
        }

        // The mint and the revocation are in the application's timeline, whichever node is asked.
        var events = await new ApplicationService.ApplicationServiceClient(cluster.NodeInvoker(3))
            .ListApplicationEventsAsync(new ListApplicationEventsRequest { Parent = document.Application });
        Assert.Contains(events.Events, e => e.Kind == ApplicationEventKind.AccessTokenCreated);
        Assert.Contains(events.Events, e => e.Kind == ApplicationEventKind.AccessTokenRevoked);
    }

    [SkippableFact]
    public async Task The_cli_starts_a_server_batch_through_the_balancer_and_prints_the_offline_summary_shape()
    {
        cluster.RequireOrSkip();
        var invoker = cluster.Invoker();
        var application = (await new ApplicationService.ApplicationServiceClient(invoker)
            .CreateApplicationAsync(new CreateApplicationRequest { ApplicationId = "cli-" + Guid.NewGuid().ToString("n")[..8] })).Application;
        for (var i = 0; i < 5; i++)
        {
            await Clients.UploadStreamingAsync(invoker, Png(1000 + i), application: application.Name, filename: $"p{i}.png");
        }
        using var cache = new TempDirectory();
        var result = await CliProcess.RunAsync(cache.Path, "batch", "--server", cluster.Server, "--api-key", cluster.ApiKey,
            "--application", application.Name["applications/".Length..], "--ops", "normalize,verify", "--json");
        Assert.True(result.ExitCode == 0, result.ToString());
        using var summary = System.Text.Json.JsonDocument.Parse(result.Stdout);
        Assert.Equal(5, summary.RootElement.GetProperty("files").GetInt64());
        Assert.Equal(5, summary.RootElement.GetProperty("ok").GetInt64() + summary.RootElement.GetProperty("refused").GetInt64());
        Assert.Equal(0, summary.RootElement.GetProperty("failed").GetInt64());
        Assert.Equal(["normalize", "verify"], summary.RootElement.GetProperty("ops").EnumerateArray().Select(o => o.GetString()));
        Assert.Contains("Started batches/", result.Stderr);

        var both = await CliProcess.RunAsync(cache.Path, "batch", "somewhere", "--all", "--server", cluster.Server);
        Assert.Equal(2, both.ExitCode);
    }

    private async Task<long[]> UploadBytesPerNodeAsync() => (await PerNodeAsync("docengine_upload_bytes_total")).Select(v => (long)v).ToArray();

    private async Task<double[]> PerNodeAsync(string metric, int skip = 0)
    {
        var values = new double[ClusterFixture.Nodes];
        for (var node = 1; node <= ClusterFixture.Nodes; node++)
        {
            values[node - 1] = node == skip ? 0 : await NodeMetrics.ReadAsync(cluster.NodeUrl(node), metric);
        }
        return values;
    }

    private static byte[] Png(int index)
    {
        using var image = new Image<Rgb24>(64, 48, new Rgb24(255, 255, 255));
        image[index % 64, index / 64 % 48] = new Rgb24((byte)index, 0, 0);
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }
}
