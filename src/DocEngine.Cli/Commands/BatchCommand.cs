using DocEngine.Core.Previews;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using DocEngine.Cli.Common;
using DocEngine.Core.Batch;
using Grpc.Core;
using Spectre.Console;

namespace DocEngine.Cli.Commands;

/// <summary>
/// <c>docengine batch DIR --out DIR [--ops normalize,ocr,preview,verify] [--max-bytes N] [--concurrency N] [--json]</c>: runs
/// the steps on every file under DIR, in-process, and writes the results, OUT/report.jsonl (one line per file) and
/// OUT/summary.json. Rerunning the same command after a kill continues where it stopped; rerunning it after it finished
/// does nothing. With <c>--application ID</c> or <c>--all</c> instead of DIR it runs on the server over stored documents
/// (<see cref="ServerBatch"/>). Exit 0 whenever the batch ran, whatever its files' outcomes.
/// </summary>
internal static class BatchCommand
{
    public static Command Create()
    {
        var input = new Argument<DirectoryInfo?>("DIR") { Description = "Folder of documents, walked recursively (offline)", Arity = ArgumentArity.ZeroOrOne };
        var output = new Option<DirectoryInfo?>("--out") { Description = "Folder for the results, report.jsonl and summary.json (reuse it to resume); offline only" };
        var application = new Option<string?>("--application") { Description = "On the server: reprocess this application's stored documents" };
        var all = new Option<bool>("--all") { Description = "On the server: reprocess every stored document of the tenant" };
        var ops = new Option<string>("--ops") { Description = "Steps to run on each file, any of normalize,ocr,preview,verify (ocr makes searchable.pdf)", DefaultValueFactory = _ => "normalize,preview,verify" };
        var maxBytes = new Option<string?>("--max-bytes") { Description = "normalize: make a PDF of each image and fit every PDF under this size, e.g. 4MB" };
        var concurrency = new Option<int>("--concurrency") { Description = "Files worked on at once, by default one per core", DefaultValueFactory = _ => Environment.ProcessorCount };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON on stdout" };
        var command = new Command("batch",
            "Normalize, preview and verify every file in a folder (resumable, no work done twice), or every stored document on the server (--application ID | --all).")
        {
            input, output, application, all, ops, maxBytes, concurrency, json,
        };
        var server = ServerConnection.AddOptions(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var directory = parse.GetValue(input);
            var target = parse.GetValue(output);
            var applicationId = parse.GetValue(application);
            if (applicationId is not null || parse.GetValue(all))
            {
                if (directory is not null || target is not null || (applicationId is not null && parse.GetValue(all)))
                {
                    throw new CliFailure(ExitCodes.Usage, "Give DIR --out OUT for a folder, or --application ID or --all for the server's stored documents, not both.");
                }
                var steps = Options(parse.GetValue(ops)!, parse.GetValue(maxBytes), Environment.ProcessorCount, workers: null);
                using var connection = ServerConnection.Open(parse, server);
                try
                {
                    var result = await ServerBatch.RunAsync(connection, applicationId, steps.Ops, steps.MaxBytes, parse.InvocationConfiguration.Error, cancellationToken);
                    await parse.InvocationConfiguration.Output.WriteLineAsync(parse.GetValue(json) ? ServerBatch.Json(result) : ServerBatch.Describe(result));
                    return ExitCodes.Ok;
                }
                catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
                {
                    throw connection.Explain(e);
                }
            }
            if (directory is null || target is null)
            {
                throw new CliFailure(ExitCodes.Usage, "Give a folder and --out (docengine batch DIR --out OUT), or --application ID or --all to run on the server.");
            }
            if (!directory.Exists)
            {
                throw new CliFailure(ExitCodes.Usage, $"No such folder: {directory.FullName}.");
            }
            if (Path.TrimEndingDirectorySeparator(directory.FullName) == Path.TrimEndingDirectorySeparator(target.FullName))
            {
                throw new CliFailure(ExitCodes.Usage, "--out must be another folder than DIR: the results would be taken for documents.");
            }
            await using var workers = OfflineWorkers.Start(parse.GetValue(concurrency));
            var options = Options(parse.GetValue(ops)!, parse.GetValue(maxBytes), parse.GetValue(concurrency), workers);
            BatchSummary summary;
            try
            {
                using var store = FileSystemBatchStore.Open(target.FullName);
                var runner = new BatchRunner(options, store, store);
                summary = await ShowProgressAsync(runner, new DirectorySource(directory.FullName, target.FullName),
                    parse.InvocationConfiguration.Error, cancellationToken);
            }
            catch (DocEngineException refusal)
            {
                throw CliFailure.From(refusal);
            }
            await parse.InvocationConfiguration.Output.WriteLineAsync(parse.GetValue(json)
                ? JsonSerializer.Serialize(summary, FileSystemBatchStore.JsonOptions)
                : Describe(summary, target));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The batch's options from the command line; <paramref name="workers"/> is null for a server batch, whose node has its own.</summary>
    private static BatchOptions Options(string ops, string? maxBytes, int concurrency, OfflineWorkers? workers)
    {
        if (!BatchOptions.TryParseOps(ops, out var steps))
        {
            throw new CliFailure(ExitCodes.Usage, $"--ops takes a list of normalize, ocr, preview and verify, such as normalize,verify, not '{ops}'.");
        }
        long? budget = null;
        if (maxBytes is not null)
        {
            budget = ByteSize.TryParse(maxBytes, out var bytes) ? bytes
                : throw new CliFailure(ExitCodes.Usage, $"--max-bytes takes a size such as 4MB, 4MiB or 4000000, not '{maxBytes}'.");
        }
        var options = new BatchOptions
        {
            Ops = steps,
            MaxBytes = budget,
            Concurrency = concurrency,
            // As many renderer processes as files at once: --concurrency 1 means one core busy.
            Previews = new PreviewOptions { Concurrency = Math.Max(1, concurrency) },
            Workers = workers?.Pool,
        };
        try
        {
            options.Validate();
        }
        catch (DocEngineException e)
        {
            throw new CliFailure(ExitCodes.Usage, $"--{(e.Field ?? "ops").Replace('_', '-')}: {e.Message}");
        }
        return options;
    }

    /// <summary>A bar on stderr: files done (of how many, once the counting pass is done), refused, failed, docs/s and the time left.</summary>
    private static Task<BatchSummary> ShowProgressAsync(BatchRunner runner, DirectorySource source, TextWriter stderr, CancellationToken cancellationToken) =>
        Output.ProgressConsole(stderr).Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var task = context.AddTask("Batch", maxValue: 1);
                task.IsIndeterminate = true;
                var running = runner.RunAsync(source, cancellationToken);
                while (!running.IsCompleted)
                {
                    Update(task, runner.Progress);
                    await Task.WhenAny(running, Task.Delay(250, cancellationToken));
                }
                var summary = await running;
                Update(task, runner.Progress);
                task.MaxValue = Math.Max(1, task.Value);
                task.Value = task.MaxValue;
                return summary;
            });

    private static void Update(ProgressTask task, BatchProgress progress)
    {
        if (progress.Total is { } total)
        {
            task.IsIndeterminate = false;
            task.MaxValue = Math.Max(1, total);
        }
        task.Value = progress.Done;
        task.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture,
            $"{progress.Done:N0}{(progress.Total is { } t ? $"/{t:N0}" : "")} files · {progress.Attention:N0} attention · {progress.Refused:N0} refused · {progress.Failed:N0} failed · {progress.DocsPerSecond:0.#} docs/s"));
    }

    private static string Describe(BatchSummary summary, DirectoryInfo target) => string.Create(CultureInfo.InvariantCulture,
        $"""
        {summary.Files:N0} files: {summary.Ok:N0} ok, {summary.Attention:N0} attention, {summary.Refused:N0} refused, {summary.Failed:N0} failed ({summary.Processed:N0} processed, {summary.Skipped:N0} already done).
        {summary.ElapsedSeconds:0.0} s, {summary.DocsPerSecond:0.##} docs/s at concurrency {summary.Concurrency}; {ByteSize.Describe(summary.BytesIn)} in, {ByteSize.Describe(summary.BytesOut)} out.
        Report: {Path.Combine(target.FullName, "report.jsonl")}
        """);
}
