using BenchmarkDotNet.Running;
using DocEngine.Benchmarks;

// Side-by-side runs take a verb; anything else goes to BenchmarkDotNet (e.g. --filter '*', plus --quick for short runs).
return args switch
{
    ["upload-e2e", .. var rest] => await UploadEndToEnd.RunAsync(rest),
    ["raw-server", .. var rest] => await RawIngest.ServeAsync(rest),
    ["raw-client", .. var rest] => await RawIngest.PostAsync(rest),
    ["process-vs-vips", .. var rest] => await ProcessVersusVips.RunAsync(rest),
    ["preview-vs-mutool", .. var rest] => await PreviewVersusMutool.RunAsync(rest),
    ["compress-vs-gs", .. var rest] => await CompressVersusGhostscript.RunAsync(rest),
    ["verify-vs-pdfsig", .. var rest] => await VerifyVersusPdfsig.RunAsync(rest),
    ["convert-vs-soffice", .. var rest] => await ConvertersVersusPeers.ConvertAsync(rest),
    ["ocr-vs-ocrmypdf", .. var rest] => await ConvertersVersusPeers.OcrAsync(rest),
    ["pdfa-vs-gs", .. var rest] => await ConvertersVersusPeers.ArchiveAsync(rest),
    ["workers-vs-inprocess", .. var rest] => await WorkersVersusInProcess.RunAsync(rest),
    ["preview-steps", .. var rest] => await PreviewSteps.RunAsync(rest),
    ["worker-overhead", .. var rest] => await WorkerOverhead.RunAsync(rest),
    ["compare-table", .. var rest] => ComparisonTable.Write(rest),
    ["fit-vs-gs", .. var rest] => await FitVersusGhostscript.RunAsync(rest),
    ["packets", "--out", var folder] => FitVersusGhostscript.WritePackets(folder),
    _ => BenchmarkSwitcher.FromAssembly(typeof(IngestBenchmarks).Assembly)
        .Run([.. args.Where(a => a != QuickJob.Option)], args.Contains(QuickJob.Option) ? QuickJob.Config : null)
        .Any(summary => summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success)) ? 1 : 0,
};
