using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Text;
using DocEngine.Core.Conversion;
using DocEngine.Core.Detection;
using DocEngine.Tests.Corpus;
using DocEngine.Tests.Infrastructure;

namespace DocEngine.Tests.Conversion;

/// <summary>
/// LibreOffice parses what applicants send, so it runs as an untrusted parser: in a network namespace of its own (a
/// linked image is never fetched), killed at the time limit (and the next conversion still works), replaced after its
/// share of conversions.
/// </summary>
[Collection(ConvertersCollection.Name)]
public sealed class ConversionSandboxTests(ConvertersFixture converters)
{
    [SkippableFact]
    public async Task A_linked_external_image_is_never_fetched_because_LibreOffice_has_no_network()
    {
        var office = await converters.OfficeAsync();
        // A loopback listener the document points at: plain LibreOffice on this machine connects to it (the image is an
        // external relationship to http://127.0.0.1:PORT/), so a connection here would be a fetch.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accept = listener.AcceptTcpClientAsync();
        using var scratch = new TempDirectory();
        var docx = Path.Combine(scratch.Path, "linked.docx");
        await File.WriteAllBytesAsync(docx, LinkedImageDocx($"http://127.0.0.1:{port}/picture.png"));
        var output = Path.Combine(scratch.Path, "linked.pdf");

        var conversion = await office.ConvertAsync(docx, Detect(docx), "linked.docx", output, null, CancellationToken.None);

        Assert.Equal("Word", conversion.From);
        await Task.Delay(500);
        Assert.False(accept.IsCompleted, "LibreOffice connected to the loopback listener: the sandbox let it reach the network.");
        using (var pdf = UglyToad.PdfPig.PdfDocument.Open(output))
        {
            Assert.Empty(pdf.GetPage(1).GetImages()); // the image is absent, not fetched
        }
        // And the proof that it could not have: every listener runs in a network namespace other than ours.
        var ours = NetworkNamespace(Environment.ProcessId);
        var theirs = office.ListenerProcessIds.Select(NetworkNamespace).ToList();
        Assert.NotEmpty(theirs);
        Assert.All(theirs, ns => Assert.NotEqual(ours, ns));
        listener.Stop();
    }

    [SkippableFact]
    public async Task A_conversion_past_the_time_limit_is_killed_and_the_next_one_succeeds_on_a_fresh_listener()
    {
        await converters.OfficeAsync();
        using var office = new OfficeConverter(new ConversionOptions { Listeners = 1, MaxDocumentTime = TimeSpan.FromSeconds(2), ConversionsPerListener = 2 });
        using var scratch = new TempDirectory();
        // A test-only document: 60,000 paragraphs of RTF take LibreOffice far longer than two seconds to lay out.
        var slow = Path.Combine(scratch.Path, "slow.rtf");
        var text = new StringBuilder(@"{\rtf1\ansi{\fonttbl{\f0 Liberation Serif;}}\f0\fs24 ");
        for (var i = 0; i < 60_000; i++)
        {
            text.Append(@"Paragraph ").Append(i).Append(@" of a letter that goes on for a very long time.\par ");
        }
        await File.WriteAllTextAsync(slow, text.Append('}').ToString());
        var small = Path.Combine(SharedCorpus.RequireOrSkip(), "corpus", "office", "mammoth__tables.docx");
        await office.WarmUpAsync(CancellationToken.None);
        var startedBefore = office.ListenersStarted;
        var bridge = Assert.Single(office.ListenerProcessIds);
        var tree = Descendants(bridge).Prepend(bridge).ToList();
        Assert.True(tree.Count >= 2, "The listener's tree is the bridge and soffice.bin.");

        var clock = Stopwatch.StartNew();
        var refusal = await Assert.ThrowsAsync<DocEngineException>(() =>
            office.ConvertAsync(slow, Detect(slow), "slow.rtf", Path.Combine(scratch.Path, "slow.pdf"), null, CancellationToken.None));
        clock.Stop();

        Assert.Equal(("CONVERSION_TIMEOUT", ErrorKind.ResourceExhausted), (refusal.Reason, refusal.Kind));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"The stuck conversion took {clock.Elapsed} to be stopped.");
        // SIGKILL is sent to the whole tree before the refusal; a process dies a moment after it is sent.
        for (var waited = Stopwatch.StartNew(); tree.Any(IsRunning) && waited.Elapsed < TimeSpan.FromSeconds(5);)
        {
            await Task.Delay(50);
        }
        Assert.DoesNotContain(tree, IsRunning); // the whole tree was killed: bridge and LibreOffice
        var conversion = await office.ConvertAsync(small, Detect(small), "tables.docx", Path.Combine(scratch.Path, "a.pdf"), null, CancellationToken.None);
        Assert.Equal(1, conversion.Pages);
        Assert.True(office.ListenersStarted == startedBefore + 1, "A fresh listener replaces the killed one.");
        await office.ConvertAsync(small, Detect(small), "tables.docx", Path.Combine(scratch.Path, "b.pdf"), null, CancellationToken.None);
        Assert.True(office.ListenersStarted == startedBefore + 2, "After its share of conversions (2 here) a listener is replaced.");
    }

    [SkippableFact]
    public async Task A_password_protected_document_converts_with_its_password_and_a_wrong_one_is_named()
    {
        var office = await converters.OfficeAsync();
        var path = Path.Combine(SharedCorpus.RequireOrSkip(), "corpus", "office", "msoffcrypto-tool__example_password.docx");
        using var scratch = new TempDirectory();

        var conversion = await office.ConvertAsync(path, Detect(path), "letter.docx", Path.Combine(scratch.Path, "ok.pdf"), "Password1234_", CancellationToken.None);
        var wrong = await Assert.ThrowsAsync<DocEngineException>(() =>
            office.ConvertAsync(path, Detect(path), "letter.docx", Path.Combine(scratch.Path, "no.pdf"), "not-it", CancellationToken.None));

        Assert.Equal("Word", conversion.From);
        Assert.True(PdfTools.Pages(Path.Combine(scratch.Path, "ok.pdf")) >= 1);
        Assert.Equal(("WRONG_PASSWORD", "password"), (wrong.Reason, wrong.Field));
    }

    /// <summary>Running, not a zombie waiting to be reaped.</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Every process below <paramref name="pid"/>, from /proc's parent links.</summary>
    private static List<int> Descendants(int pid)
    {
        var parents = new Dictionary<int, int>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var child))
            {
                try
                {
                    var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                    parents[child] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                }
                catch (IOException)
                {
                    // it exited while we looked
                }
            }
        }
        var found = new List<int>();
        var queue = new Queue<int>([pid]);
        while (queue.TryDequeue(out var parent))
        {
            foreach (var (child, _) in parents.Where(p => p.Value == parent))
            {
                found.Add(child);
                queue.Enqueue(child);
            }
        }
        return found;
    }

    private static string NetworkNamespace(int pid) => new FileInfo($"/proc/{pid}/ns/net").LinkTarget ?? "";

    private static DetectedType Detect(string path)
    {
        using var content = File.OpenRead(path);
        return ContentDetector.Detect(content, Path.GetFileName(path));
    }

    /// <summary>A one-paragraph DOCX whose only picture is an external relationship to <paramref name="url"/>.</summary>
    private static byte[] LinkedImageDocx(string url)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Add(string name, string text)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
                writer.Write(text);
            }
            Add("[Content_Types].xml", """<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>""");
            Add("_rels/.rels", """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>""");
            Add("word/_rels/document.xml.rels", $"""<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" Target="{url}" TargetMode="External"/></Relationships>""");
            Add("word/document.xml", """<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><w:body><w:p><w:r><w:t>Letter with a linked picture:</w:t></w:r><w:r><w:drawing><wp:inline><wp:extent cx="952500" cy="952500"/><wp:docPr id="1" name="Picture 1"/><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:pic><pic:nvPicPr><pic:cNvPr id="1" name="picture.png"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:link="rId2"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="952500" cy="952500"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r></w:p></w:body></w:document>""");
        }
        return buffer.ToArray();
    }
}
