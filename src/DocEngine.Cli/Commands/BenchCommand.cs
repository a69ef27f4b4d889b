using System.CommandLine;
using DocEngine.Cli.Commands.Bench;
using DocEngine.Cli.Common;
using Grpc.Core;

namespace DocEngine.Cli.Commands;

/// <summary>
/// <c>docengine bench upload|process|preview|verify|mixed --input DIR|FILE --concurrency N (--duration 30s | --requests N)
/// [--warmup 5s] [--pages 1-3] [--width PX] [--json]</c>: a load generator for a running server (issue 8). Exit 0 once a
/// report is printed, even when it counts errors; 2 for a wrong command line; 4 when the server cannot be reached at start.
/// </summary>
internal static class BenchCommand
{
    public static Command Create() => new("bench", "Load a running DocEngine server and report requests, errors, throughput and latency.")
    {
        Scenario(BenchScenario.Upload, "Each request streams one input (round-robin over the inputs) into one application made at start."),
        Scenario(BenchScenario.Process, "Each request compresses one input (uploaded once at start) to 4 MB, bypassing the rendition cache."),
        Scenario(BenchScenario.Preview, "Each request renders --pages of one input (uploaded once at start) at --width, bypassing the cache, and reads every image."),
        Scenario(BenchScenario.Verify, "Each request verifies the signatures of one PDF (uploaded once at start)."),
        Scenario(BenchScenario.Mixed, "Each request is the portal mix: upload a PDF, compress it to 4 MB, preview page 1, verify it."),
    };

    private static Command Scenario(BenchScenario scenario, string description)
    {
        var input = new Option<string>("--input") { Description = "A folder (its files, not subfolders) or one file; read into memory at start", HelpName = "DIR|FILE", Required = true };
        var concurrency = new Option<int>("--concurrency") { Description = "Callers making requests at the same time", HelpName = "N", Required = true };
        var duration = new Option<string?>("--duration") { Description = "Stop issuing requests after this long, e.g. 30s, 2m, 500ms", HelpName = "TIME" };
        var requests = new Option<long?>("--requests") { Description = "Stop after this many counted requests (instead of --duration)", HelpName = "N" };
        var warmup = new Option<string>("--warmup") { Description = "Requests started in this first period are not counted, e.g. 5s", HelpName = "TIME", DefaultValueFactory = _ => "0s" };
        var json = new Option<bool>("--json")
        {
            Description = "Print {\"requests\", \"errors\", \"throughput\", \"latencyMillis\"} as JSON instead of a table",
        };
        var command = new Command(BenchInputs.Name(scenario), description + " MB/s counts " +
            (scenario == BenchScenario.Preview ? "the preview images received." : "the input documents' bytes."))
        {
            input, concurrency, duration, requests, warmup,
        };
        Option<string>? pages = null;
        Option<int>? width = null;
        if (scenario == BenchScenario.Preview)
        {
            pages = new Option<string>("--pages") { Description = "Pages each request renders, e.g. 1-3,7", HelpName = "PAGES", DefaultValueFactory = _ => "1" };
            width = new Option<int>("--width") { Description = "Preview width in pixels", HelpName = "PX", DefaultValueFactory = _ => 1000 };
            command.Add(pages);
            command.Add(width);
        }
        command.Add(json);
        var server = ServerConnection.AddOptions(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = BenchSettings.Parse(scenario, parse.GetValue(concurrency), parse.GetValue(duration), parse.GetValue(requests),
                parse.GetValue(warmup)!, pages is null ? "1" : parse.GetValue(pages)!, width is null ? 1000 : parse.GetValue(width));
            var stderr = parse.InvocationConfiguration.Error;
            var inputs = BenchInputs.Load(parse.GetValue(input)!, scenario, stderr);
            using var setup = ServerConnection.Open(parse, server);
            BenchRequest request;
            try
            {
                request = await BenchScenarios.PrepareAsync(settings, inputs, setup.Invoker, stderr, cancellationToken);
            }
            catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
            {
                throw setup.Explain(e);
            }
            return await RunAsync(settings, inputs.Count, request, setup.Url, setup.Credential, parse.GetValue(json),
                parse.InvocationConfiguration.Output, stderr, cancellationToken);
        });
        return command;
    }

    private static async Task<int> RunAsync(BenchSettings settings, int inputs, BenchRequest request, string url, Credential credential, bool json,
        TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        using var channels = new BenchChannels(url, credential, settings.Concurrency);
        await stderr.WriteLineAsync($"{settings.Concurrency} caller(s) over {channels.Count} channel(s).");
        var recorder = new LatencyRecorder();
        var load = new LoadGenerator(settings, channels, recorder);
        var elapsed = await BenchProgress.ShowAsync(load.RunAsync(request, cancellationToken), load, recorder, settings, stderr);
        var result = recorder.Result(elapsed);
        foreach (var (status, count, message) in recorder.ErrorSamples())
        {
            await stderr.WriteLineAsync($"{status}: {count} request(s) failed; the first said: {message}");
        }
        if (json)
        {
            await stdout.WriteLineAsync(BenchReport.ToJson(result));
        }
        else
        {
            BenchReport.WriteTable(result, settings, inputs, url, stdout);
        }
        if (cancellationToken.IsCancellationRequested)
        {
            // A partial run is not the measurement asked for: scripts must not take it for one.
            await stderr.WriteLineAsync("Interrupted: the report covers the requests that finished before the interruption.");
            return ExitCodes.Other;
        }
        return ExitCodes.Ok;
    }
}
