using System.Diagnostics;
using System.Globalization;
using DocEngine.Contract.V1;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;

namespace DocEngine.Benchmarks;

/// <summary>
/// <c>preview-vs-mutool [--runs 3] [--width 1000] [--thumbnail 256] [--saturate] [--summary-json FILE]</c>: every PDF in <c>../shared/scans</c> previewed
/// through a freshly started DocEngine server (RenderPreviews, PNG, all pages), side by side in the same run with
/// <c>mutool draw</c> of the same pages at the same width invoked directly; and every image there as a thumbnail
/// through the service beside <c>vipsthumbnail</c>. Each round uploads the files into a new application, so no
/// preview comes from the rendition cache. Reports medians over the rounds after a warm-up round. With
/// <c>--saturate</c>, each round also previews every PDF again (uploaded anew) with as many requests at once as cores,
/// beside as many <c>mutool draw</c> processes at once over the same files, so both sides keep every core busy.
/// </summary>
internal static class PreviewVersusMutool
{
    private const string ApiKey = "bench-key";

    public static async Task<int> RunAsync(string[] args)
    {
        var (summary, rest) = ComparisonRow.TakeSummaryOption(args);
        var saturate = rest.Contains("--saturate");
        args = [.. rest.Where(a => a != "--saturate")];
        var (runs, width, thumbnail) = (3, 1000, 256);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            _ = args[i] switch
            {
                "--runs" => runs = value,
                "--width" => width = value,
                "--thumbnail" => thumbnail = value,
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }
        var repository = UploadEndToEnd.FindRepository();
        var scans = Path.GetFullPath(Path.Combine(repository, "..", "shared", "scans"));
        var serverDll = Path.Combine(repository, "src/DocEngine.Server/bin/Release/net10.0/DocEngine.Server.dll");
        if (!Directory.Exists(scans) || !File.Exists(serverDll))
        {
            Console.Error.WriteLine($"Needs {scans} and {serverDll} (dotnet build -c Release).");
            return 1;
        }
        var pdfs = Directory.GetFiles(scans, "*.pdf").Order(StringComparer.Ordinal).ToList();
        var images = Directory.GetFiles(scans).Where(f => Path.GetExtension(f) is ".jpg" or ".png" or ".tif").Order(StringComparer.Ordinal).ToList();
        var scratch = Directory.CreateTempSubdirectory("docengine-bench-preview").FullName;

        var port = UploadEndToEnd.FreePort();
        var url = $"http://127.0.0.1:{port}";
        var start = UploadEndToEnd.Dotnet(serverDll, "--urls", url);
        start.WorkingDirectory = Path.GetDirectoryName(serverDll)!;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DocEngine__DataDirectory"] = Path.Combine(scratch, "data");
        start.Environment["DocEngine__ApiKeys__0__Key"] = ApiKey;
        start.Environment["DocEngine__ApiKeys__0__Tenant"] = "bench";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        using var server = Process.Start(start)!;
        UploadEndToEnd.Drain(server);
        try
        {
            using var channel = GrpcChannel.ForAddress(url, new GrpcChannelOptions { MaxReceiveMessageSize = 64 << 20 });
            var headers = new Metadata { { "x-api-key", ApiKey } };
            var applications = new ApplicationService.ApplicationServiceClient(channel);
            var previews = new PreviewService.PreviewServiceClient(channel);
            await UploadEndToEnd.WaitAsync(async () =>
            {
                try
                {
                    await applications.ListApplicationsAsync(new ListApplicationsRequest(), headers);
                    return true;
                }
                catch (RpcException)
                {
                    return false;
                }
            });

            var pdfRows = pdfs.ToDictionary(f => f, _ => new Rows());
            var imageRows = images.ToDictionary(f => f, _ => new Rows());
            var busy = new List<double>();
            var (servicePages, mutoolPages) = (new List<double>(), new List<double>());
            var saturated = new List<(double Service, double Mutool, double ServiceCores, double MutoolCores)>();
            for (var run = 0; run <= runs; run++)
            {
                var application = (await applications.CreateApplicationAsync(new CreateApplicationRequest(), headers)).Application.Name;
                var names = new Dictionary<string, string>();
                foreach (var file in pdfs.Concat(images))
                {
                    names[file] = await UploadAsync(channel, headers, application, file);
                }
                await ReceiptsIssuedAsync(channel, headers, names.Values);

                var cpu = CpuSeconds(server.Id);
                var wall = Stopwatch.StartNew();
                var pageCount = 0;
                foreach (var pdf in pdfs)
                {
                    var (first, total, pages) = await PreviewAsync(previews, headers, names[pdf], width, null);
                    pageCount += pages;
                    if (run > 0)
                    {
                        pdfRows[pdf].Add(first, total, pages);
                    }
                }
                var serviceSeconds = wall.Elapsed.TotalSeconds;
                var cores = (CpuSeconds(server.Id) - cpu) / serviceSeconds;

                wall.Restart();
                foreach (var pdf in pdfs)
                {
                    var output = Path.Combine(scratch, "mutool-%d.png");
                    var first = await ProcessVersusVips.TimeAsync("mutool", "draw", "-q", "-w", $"{width}", "-F", "png", "-o", output, pdf, "1");
                    var total = await ProcessVersusVips.TimeAsync("mutool", "draw", "-q", "-w", $"{width}", "-F", "png", "-o", output, pdf);
                    if (run > 0)
                    {
                        pdfRows[pdf].AddPeer(first, total);
                    }
                }
                var mutoolSeconds = pdfRows.Values.Sum(r => r.PeerTotal.Count > 0 ? r.PeerTotal[^1] : 0) / 1000;

                if (OneShotCli.Exists)
                {
                    foreach (var pdf in pdfs)
                    {
                        var oneShot = await OneShotCli.TimeAsync("preview", pdf, "--pages", "1", "--width", $"{width}", "--out", Path.Combine(scratch, "one-shot"));
                        if (run > 0)
                        {
                            pdfRows[pdf].OneShot.Add(oneShot);
                        }
                    }
                }

                foreach (var image in images)
                {
                    var (_, ours, _) = await PreviewAsync(previews, headers, names[image], thumbnail, "1");
                    var vips = await ProcessVersusVips.TimeAsync("vipsthumbnail", image, "-s", $"{thumbnail}x", "-o", Path.Combine(scratch, "vips.png"));
                    if (run > 0)
                    {
                        imageRows[image].Add(ours, ours, 1);
                        imageRows[image].AddPeer(vips, vips);
                    }
                }
                if (saturate)
                {
                    var round = await SaturateAsync(server.Id, channel, headers, applications, previews, pdfs, width, scratch);
                    Console.Error.WriteLine($"round {run}, saturated: service {round.Service:F0} ms on {round.ServiceCores:F2} cores, mutool {round.Mutool:F0} ms on {round.MutoolCores:F2} cores");
                    if (run > 0)
                    {
                        saturated.Add(round);
                    }
                }
                if (run > 0)
                {
                    busy.Add(cores);
                    servicePages.Add(pageCount / serviceSeconds);
                    mutoolPages.Add(pageCount / mutoolSeconds);
                }
                Console.Error.WriteLine($"round {run}{(run == 0 ? " (warm-up)" : "")}: service {pageCount / serviceSeconds:F2} pages/s on {cores:F2} cores, mutool {pageCount / mutoolSeconds:F2} pages/s");
            }

            Console.WriteLine($"PDF previews at {width} px PNG, median of {runs} rounds (ms):");
            Console.WriteLine("| file | pages | service page 1 | mutool page 1 | service all pages | mutool all pages | service / mutool per page |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var (pdf, row) in pdfRows)
            {
                Console.WriteLine($"| {Path.GetFileName(pdf)} | {row.Pages} | {row.First():F0} | {row.PeerFirst():F0} | {row.Total():F0} | {row.PeerTotalMedian():F0} | {row.Total() / row.PeerTotalMedian():F2}x |");
            }
            var ourTotal = pdfRows.Values.Sum(r => r.Total());
            var theirTotal = pdfRows.Values.Sum(r => r.PeerTotalMedian());
            var allPages = pdfRows.Values.Sum(r => r.Pages);
            Console.WriteLine($"| **all {pdfs.Count} PDFs** | {allPages} | {UploadEndToEnd.Median(pdfRows.Values.Select(r => r.First())):F0} (median) | " +
                $"{UploadEndToEnd.Median(pdfRows.Values.Select(r => r.PeerFirst())):F0} (median) | {ourTotal:F0} | {theirTotal:F0} | {ourTotal / theirTotal:F2}x |");
            Console.WriteLine($"Pages per second: service {UploadEndToEnd.Median(servicePages):F2}, mutool {UploadEndToEnd.Median(mutoolPages):F2}; " +
                $"cores busy in the service while rendering (its CPU and its renderers' / wall time): {UploadEndToEnd.Median(busy):F2} of {Environment.ProcessorCount}.");
            Console.WriteLine();
            Console.WriteLine($"Image thumbnails at {thumbnail} px wide PNG, page 1, median of {runs} rounds (ms):");
            Console.WriteLine("| file | service | vipsthumbnail | ratio |");
            Console.WriteLine("|---|---:|---:|---:|");
            foreach (var (image, row) in imageRows)
            {
                Console.WriteLine($"| {Path.GetFileName(image)} | {row.Total():F0} | {row.PeerTotalMedian():F0} | {row.Total() / row.PeerTotalMedian():F2}x |");
            }
            var rows = new List<ComparisonRow>
            {
                ComparisonRow.Time($"Preview of page 1 of a scanned PDF ({width} px PNG) through the service, gRPC included: median over the {pdfs.Count} PDFs in ../shared/scans of medians of {runs}",
                    "`mutool draw` of page 1 (a process)", UploadEndToEnd.Median(pdfRows.Values.Select(r => r.First())),
                    UploadEndToEnd.Median(pdfRows.Values.Select(r => r.PeerFirst())), 1.1, 1.0),
                ComparisonRow.Time($"Thumbnail (page 1, {thumbnail} px PNG) of the {images.Count} images in ../shared/scans through the service: sum of medians of {runs}",
                    "`vipsthumbnail` (a process)", imageRows.Values.Sum(r => r.Total()), imageRows.Values.Sum(r => r.PeerTotalMedian()), 3, 1.0,
                    images.Count == 0 ? "" : $"worst file {imageRows.Values.Max(r => r.Total() / r.PeerTotalMedian()):F2}x"),
            };
            if (pdfRows.Values.All(r => r.OneShot.Count > 0))
            {
                var oneShot = UploadEndToEnd.Median(pdfRows.Values.Select(r => UploadEndToEnd.Median(r.OneShot)));
                Console.WriteLine();
                Console.WriteLine($"One-shot `docengine preview FILE --pages 1` ({OneShotCli.Describe}): median over the PDFs {oneShot:F0} ms; `mutool draw` page 1 {UploadEndToEnd.Median(pdfRows.Values.Select(r => r.PeerFirst())):F0} ms.");
                rows.Add(ComparisonRow.Time($"One-shot page-1 preview, `docengine preview FILE --pages 1` as a fresh process ({OneShotCli.NativeStart}): median over the {pdfs.Count} PDFs of medians of {runs}",
                    "`mutool draw` of page 1 (a process)", oneShot, UploadEndToEnd.Median(pdfRows.Values.Select(r => r.PeerFirst())), 2, 1));
            }
            if (saturated.Count > 0)
            {
                var (ours, theirs) = (UploadEndToEnd.Median(saturated.Select(r => r.Service)), UploadEndToEnd.Median(saturated.Select(r => r.Mutool)));
                Console.WriteLine();
                Console.WriteLine($"All {allPages} pages of the {pdfs.Count} PDFs, {Environment.ProcessorCount} at once on each side, median of {runs} rounds: service {ours:F0} ms " +
                    $"({allPages * 1000 / ours:F1} pages/s, {UploadEndToEnd.Median(saturated.Select(r => r.ServiceCores)):F2} cores busy), mutool {theirs:F0} ms " +
                    $"({allPages * 1000 / theirs:F1} pages/s, {UploadEndToEnd.Median(saturated.Select(r => r.MutoolCores)):F2} cores busy): {ours / theirs:F2}x.");
                rows.Add(ComparisonRow.Time($"Previews of all {allPages} pages of the {pdfs.Count} PDFs, both saturating the {Environment.ProcessorCount} cores ({Environment.ProcessorCount} requests / processes at once), median of {runs}",
                    "`mutool draw` of each file (processes)", ours, theirs, 1.1, 1.0,
                    $"cores busy: service {UploadEndToEnd.Median(saturated.Select(r => r.ServiceCores)):F2}, mutool {UploadEndToEnd.Median(saturated.Select(r => r.MutoolCores)):F2}"));
            }
            ComparisonRow.Write(summary, rows);
            return 0;
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>
    /// Every PDF uploaded anew (no rendition cache) and previewed, all pages, with as many requests at once as cores; then
    /// the same files drawn by as many <c>mutool draw</c> processes at once. Wall times, and the cores each side kept busy
    /// (the server's CPU and its renderers'; this process's reaped children for mutool).
    /// </summary>
    private static async Task<(double Service, double Mutool, double ServiceCores, double MutoolCores)> SaturateAsync(int server, GrpcChannel channel,
        Metadata headers, ApplicationService.ApplicationServiceClient applications, PreviewService.PreviewServiceClient previews, List<string> pdfs, int width, string scratch)
    {
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount };
        var application = (await applications.CreateApplicationAsync(new CreateApplicationRequest(), headers)).Application.Name;
        var names = new Dictionary<string, string>();
        foreach (var pdf in pdfs)
        {
            names[pdf] = await UploadAsync(channel, headers, application, pdf);
        }
        await ReceiptsIssuedAsync(channel, headers, names.Values);
        var cpu = CpuSeconds(server);
        var wall = Stopwatch.StartNew();
        await Parallel.ForEachAsync(pdfs, parallel, async (pdf, _) => await PreviewAsync(previews, headers, names[pdf], width, null));
        var service = wall.Elapsed.TotalSeconds;
        var serviceCores = (CpuSeconds(server) - cpu) / service;

        cpu = CpuSeconds(Environment.ProcessId);
        wall.Restart();
        await Parallel.ForEachAsync(pdfs.Select((pdf, i) => (pdf, i)), parallel, async (file, _) =>
            await ProcessVersusVips.TimeAsync("mutool", "draw", "-q", "-w", $"{width}", "-F", "png", "-o", Path.Combine(scratch, $"saturated-{file.i}-%d.png"), file.pdf));
        var mutool = wall.Elapsed.TotalSeconds;
        return (service * 1000, mutool * 1000, serviceCores, (CpuSeconds(Environment.ProcessId) - cpu) / mutool);
    }

    private static async Task<string> UploadAsync(GrpcChannel channel, Metadata headers, string application, string file)
    {
        var uploads = new UploadService.UploadServiceClient(channel);
        var bytes = await File.ReadAllBytesAsync(file);
        var session = (await uploads.CreateUploadSessionAsync(new CreateUploadSessionRequest
        {
            Metadata = new UploadMetadata { Application = application, Filename = Path.GetFileName(file), SizeBytes = bytes.Length },
        }, headers)).Session;
        for (var offset = 0; offset < bytes.Length; offset += 1 << 20)
        {
            await uploads.AppendUploadChunkAsync(new AppendUploadChunkRequest
            {
                Name = session.Name,
                Offset = offset,
                Data = ByteString.CopyFrom(bytes, offset, Math.Min(1 << 20, bytes.Length - offset)),
            }, headers);
        }
        return (await uploads.CompleteUploadAsync(new CompleteUploadRequest { Name = session.Name }, headers)).Document.Name;
    }

    /// <summary>
    /// Waits until every upload's receipt is issued. Each completed upload queues its receipt (a signature check and a page
    /// count in the node's workers); timing previews while the round's own upload backlog is still being receipted would
    /// measure that queue, not the preview of a document already uploaded.
    /// </summary>
    private static async Task ReceiptsIssuedAsync(GrpcChannel channel, Metadata headers, IEnumerable<string> documents)
    {
        var receipts = new ReceiptService.ReceiptServiceClient(channel);
        foreach (var document in documents)
        {
            await receipts.GetReceiptAsync(new GetReceiptRequest { Name = document }, headers);
        }
    }

    /// <summary>Milliseconds to the first page and to the end of the stream, and the pages received.</summary>
    private static async Task<(double First, double Total, int Pages)> PreviewAsync(PreviewService.PreviewServiceClient previews, Metadata headers,
        string document, int width, string? pages)
    {
        var clock = Stopwatch.StartNew();
        using var call = previews.RenderPreviews(new RenderPreviewsRequest { Name = document, Width = width, Pages = pages ?? "", Format = PreviewFormat.Png }, headers);
        var first = 0.0;
        var count = 0;
        await foreach (var message in call.ResponseStream.ReadAllAsync())
        {
            if (message.KindCase == RenderPreviewsResponse.KindOneofCase.Page && count++ == 0)
            {
                first = clock.Elapsed.TotalMilliseconds;
            }
        }
        return (first, clock.Elapsed.TotalMilliseconds, count);
    }

    /// <summary>User and system CPU of the process and of its reaped children (the renderers), from /proc.</summary>
    private static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // After "pid (comm) ", field 3 (state) is index 0: utime, stime, cutime, cstime are fields 14..17.
        return fields[11..15].Sum(f => long.Parse(f, CultureInfo.InvariantCulture)) / 100.0;
    }

    private sealed class Rows
    {
        private readonly List<double> _first = [];
        private readonly List<double> _total = [];
        private readonly List<double> _peerFirst = [];

        public List<double> PeerTotal { get; } = [];

        /// <summary>A fresh <c>docengine preview FILE --pages 1</c> process per round.</summary>
        public List<double> OneShot { get; } = [];

        public int Pages { get; private set; }

        public void Add(double first, double total, int pages)
        {
            _first.Add(first);
            _total.Add(total);
            Pages = pages;
        }

        public void AddPeer(double first, double total)
        {
            _peerFirst.Add(first);
            PeerTotal.Add(total);
        }

        public double First() => UploadEndToEnd.Median(_first);

        public double Total() => UploadEndToEnd.Median(_total);

        public double PeerFirst() => UploadEndToEnd.Median(_peerFirst);

        public double PeerTotalMedian() => UploadEndToEnd.Median(PeerTotal);
    }
}
