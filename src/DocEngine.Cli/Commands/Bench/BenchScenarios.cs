using DocEngine.Contract.V1;
using Grpc.Core;

namespace DocEngine.Cli.Commands.Bench;

/// <summary>
/// One measured request of a scenario, made through the caller's invoker; returns the bytes it counts towards MB/s
/// (the preview images received for preview, the input document's size otherwise).
/// </summary>
internal delegate Task<long> BenchRequest(CallInvoker invoker, CancellationToken cancellationToken);

/// <summary>Prepares a scenario on the server (its application, and the documents it works on) and makes its requests.</summary>
internal static class BenchScenarios
{
    // Long enough for a many-page scan through the whole mixed sequence; a request still running then is counted as
    // DEADLINE_EXCEEDED instead of holding the end of the run hostage.
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Creates the run's application and, for process, preview and verify, uploads every input once; the calls go
    /// through <paramref name="setup"/>, so their failures (server down, wrong key) end the run before it starts.
    /// </summary>
    public static async Task<BenchRequest> PrepareAsync(BenchSettings settings, IReadOnlyList<BenchInput> inputs, CallInvoker setup, TextWriter stderr,
        CancellationToken cancellationToken)
    {
        var application = (await new ApplicationService.ApplicationServiceClient(setup).CreateApplicationAsync(new CreateApplicationRequest
        {
            DisplayName = $"docengine bench {BenchInputs.Name(settings.Scenario)}",
        }, deadline: Deadline(), cancellationToken: cancellationToken)).Application.Name;
        await stderr.WriteLineAsync($"Bench {BenchInputs.Name(settings.Scenario)}: {inputs.Count} input(s), {Megabytes(inputs.Sum(i => (long)i.Bytes.Length))} MB, into {application}.");

        var stored = new List<(BenchInput Input, string Document)>();
        if (settings.Scenario is BenchScenario.Process or BenchScenario.Preview or BenchScenario.Verify)
        {
            foreach (var input in inputs)
            {
                stored.Add((input, (await BenchCalls.UploadAsync(setup, application, input, Deadline(), cancellationToken)).Name));
            }
        }

        // Callers take inputs round-robin from one shared counter, so every input is used evenly whatever N is.
        var next = -1L;
        int Next(int count) => (int)((ulong)Interlocked.Increment(ref next) % (ulong)count);

        return settings.Scenario switch
        {
            BenchScenario.Upload => async (invoker, token) =>
            {
                var input = inputs[Next(inputs.Count)];
                await BenchCalls.UploadAsync(invoker, application, input, Deadline(), token);
                return input.Bytes.Length;
            },
            BenchScenario.Process => async (invoker, token) =>
            {
                var (input, document) = stored[Next(stored.Count)];
                await BenchCalls.ProcessAsync(invoker, document, Deadline(), token);
                return input.Bytes.Length;
            },
            BenchScenario.Preview => (invoker, token) =>
                BenchCalls.PreviewAsync(invoker, stored[Next(stored.Count)].Document, settings.Pages, settings.Width, Deadline(), token),
            BenchScenario.Verify => async (invoker, token) =>
            {
                var (input, document) = stored[Next(stored.Count)];
                await BenchCalls.VerifyAsync(invoker, document, Deadline(), token);
                return input.Bytes.Length;
            },
            _ => async (invoker, token) =>
            {
                // The portal mix (issue 8): what an applicant's one document goes through, each step after the last.
                var input = inputs[Next(inputs.Count)];
                var deadline = Deadline();
                var document = (await BenchCalls.UploadAsync(invoker, application, input, deadline, token)).Name;
                await BenchCalls.ProcessAsync(invoker, document, deadline, token);
                await BenchCalls.PreviewAsync(invoker, document, "1", settings.Width, deadline, token);
                await BenchCalls.VerifyAsync(invoker, document, deadline, token);
                return input.Bytes.Length;
            },
        };
    }

    /// <summary>Bytes as decimal megabytes (10^6), the unit of the report.</summary>
    public static string Megabytes(long bytes) => (bytes / 1e6).ToString("0.0##", System.Globalization.CultureInfo.InvariantCulture);

    private static DateTime Deadline() => DateTime.UtcNow + RequestTimeout;
}
