using System.Text;
using DocEngine.Cli.Commands;
using DocEngine.Core.Mupdf;
using DocEngine.Core.Previews;
using DocEngine.Core.Processing;
using DocEngine.Core.Workers;

namespace DocEngine.Native;

/// <summary>
/// <c>docengine-native preview FILE.pdf --out DIR [--pages P] [--width N | --dpi N] [--format F] [--contact-sheet]
/// [--password P] [--json]</c>: what <c>docengine preview</c> does offline for a PDF. The sandboxed child reads the
/// PDF's plan (its limits and page count) in itself, as a worker would, while mutool draws page 1 in its own sandbox
/// beside it, and writes the files; the parent passes on what it says, line by line, as it says it.
/// </summary>
internal static class OneShotPreview
{
    /// <summary>The child: the CLI's offline preview, with this process as the worker (its writers are <see cref="Tagged"/>).</summary>
    public static async Task<int> DrawAsync(LocalPreview preview, TextWriter stdout, TextWriter stderr)
    {
        var options = new PreviewOptions();
        var scratch = Directory.CreateTempSubdirectory("docengine-work-");
        try
        {
            var renderer = new PreviewRenderer(new MutoolRenderer(options), new SandboxRunner(scratch.FullName), new ProcessingOptions(), options);
            await LocalPreview.WriteAllAsync(LocalPreview.RenderAsync(renderer, preview.File, preview.Request, options, CancellationToken.None),
                preview.Directory, preview.Json, stdout, stderr, CancellationToken.None);
            return Cli.Common.ExitCodes.Ok;
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>The parent: the child within the plan's and the drawing's time limits, its lines passed on as they come.</summary>
    public static Task<int> SuperviseAsync(LocalPreview preview, string[] command, TextWriter stdout, TextWriter stderr)
    {
        var options = new PreviewOptions();
        var drawings = preview.Request.ContactSheet ? 2 : 1;
        var limit = new ProcessingOptions().MaxProcessingTime + options.MaxDocumentTime * drawings + TimeSpan.FromSeconds(5);
        return OneShot.SuperviseAsync(command, limit, options.TimedOut(), stdout, stderr, async line =>
        {
            var (kind, text) = Tagged.Parse(line);
            await (kind == Tagged.Error ? stderr : stdout).WriteLineAsync(text);
            return kind == Tagged.Error;
        });
    }

    /// <summary>
    /// The child's stdout and stderr, both carried on its stdout, each line tagged with the stream it is for. Its real
    /// stderr is left to the runtime, whose words about a crash are never shown (the parent says the worker's sentence).
    /// </summary>
    internal sealed class Tagged(TextWriter carrier, char tag) : TextWriter
    {
        public const char Output = 'o';
        public const char Error = 'e';

        public override Encoding Encoding => carrier.Encoding;

        /// <summary>True for the command lines whose child speaks tagged.</summary>
        public static bool IsFor(string[] command) => command is ["preview", ..];

        public static (char Kind, string Text) Parse(string line) => line.Length > 0 ? (line[0], line[1..]) : (Output, "");

        public override void Write(char value) => throw new NotSupportedException("Tagged writes whole lines only.");

        public override void WriteLine(string? value)
        {
            foreach (var line in (value ?? "").Split('\n'))
            {
                carrier.WriteLine(tag + line.TrimEnd('\r'));
            }
            carrier.Flush();
        }

        public override Task WriteLineAsync(string? value)
        {
            WriteLine(value);
            return Task.CompletedTask;
        }
    }
}
