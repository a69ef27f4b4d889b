using System.Globalization;
using System.Text.Json;
using DocEngine.Cli.Common;
using DocEngine.Core.Detection;
using DocEngine.Core.Pdf;

namespace DocEngine.Cli.Commands;

/// <summary>
/// <c>docengine inspect PDF --bytes [--json]</c>: where a PDF's bytes go, by kind (issue 18). Offline only: it reads the
/// local file's objects. <c>--json</c> prints <c>{"file", "sizeBytes", "objects", "kinds": [{"kind", "bytes", "objects"}]}</c>
/// (not a proto message: the service has no such call).
/// </summary>
internal static class ByteReportCommand
{
    public static async Task<int> RunAsync(FileInfo file, string? password, bool json, bool throughServer, TextWriter stdout, CancellationToken cancellationToken)
    {
        if (throughServer)
        {
            throw new CliFailure(ExitCodes.Usage, "--bytes reads a local file's objects and runs in this process only: leave out --server.");
        }
        await using (var content = file.OpenRead())
        {
            var kind = ContentDetector.Detect(content, file.Name).Kind;
            if (kind != DocumentKind.Pdf)
            {
                throw new CliFailure(ExitCodes.Refused, $"{file.Name} is not a PDF: --bytes splits a PDF's size by kind; leave it out to inspect other files.");
            }
        }
        PdfByteBreakdown report;
        try
        {
            report = await Task.Run(() => PdfByteReport.Analyze(file.FullName, password), cancellationToken);
        }
        catch (DocEngineException refusal)
        {
            throw CliFailure.From(refusal);
        }
        await stdout.WriteLineAsync(json ? Json(file, report) : Text(file, report));
        return ExitCodes.Ok;
    }

    private static string Text(FileInfo file, PdfByteBreakdown report)
    {
        var lines = new List<string>
        {
            $"{file.Name}: {report.SizeBytes.ToString("N0", CultureInfo.InvariantCulture)} bytes in {report.ObjectCount.ToString("N0", CultureInfo.InvariantCulture)} objects",
        };
        var width = report.Shares.Max(s => PdfByteBreakdown.Describe(s.Kind).Length);
        foreach (var share in report.Shares)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"  {PdfByteBreakdown.Describe(share.Kind).PadRight(width)}  {share.Bytes,12:N0} bytes  {100.0 * share.Bytes / Math.Max(1, report.SizeBytes),5:0.0} %  {share.Objects,6:N0} objects"));
        }
        return string.Join(Environment.NewLine, lines);
    }

    private static string Json(FileInfo file, PdfByteBreakdown report) => JsonSerializer.Serialize(new
    {
        file = file.Name,
        sizeBytes = report.SizeBytes,
        objects = report.ObjectCount,
        kinds = report.Shares.Select(s => new { kind = JsonNamingPolicy.SnakeCaseLower.ConvertName(s.Kind.ToString()), bytes = s.Bytes, objects = s.Objects }),
    });
}
