using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Workers;

/// <summary>
/// The offline CLI decodes in the same workers as the server: a PDF nested 200,000 deep, which used to abort
/// <c>docengine process</c> with exit 134, is refused by every verb that reads PDFs with exit 3 and a sentence.
/// </summary>
public sealed class HostileCliTests : IDisposable
{
    private readonly TempDirectory _work = new();

    public void Dispose() => _work.Dispose();

    public static TheoryData<string> Verbs => ["inspect", "process", "preview", "verify"];

    [SkippableTheory]
    [MemberData(nameof(Verbs))]
    public async Task A_pdf_nested_200000_deep_is_refused_by_every_offline_verb_with_exit_3_and_a_sentence(string verb)
    {
        Renderer.Create();
        var pdf = Path.Combine(_work.Path, "form.pdf");
        await File.WriteAllBytesAsync(pdf, HostileFiles.NestedArrayPdf());
        string[] arguments = verb switch
        {
            "process" => ["process", pdf, "--max-bytes", "4MB", "--out", Path.Combine(_work.Path, "out.pdf")],
            "preview" => ["preview", pdf, "--out", Path.Combine(_work.Path, "pages")],
            _ => [verb, pdf],
        };

        var result = await CliProcess.RunAsync(_work.Path, arguments);

        Assert.True(result.ExitCode == 3, result.ToString());
        var sentence = result.Stderr.Trim().Split('\n')[^1];
        Assert.EndsWith(".", sentence);
        Assert.DoesNotContain("   at ", result.Stderr);
        if (verb != "verify") // the signature parser has its own bound and its own sentence
        {
            Assert.Contains("nests lists or dictionaries more than 256 deep", sentence, StringComparison.Ordinal);
        }
    }
}
