using System.Text;
using DocEngine.Core.Common;
using DocEngine.Core.Receipts;

namespace DocEngine.Tests.Receipts;

/// <summary>
/// The words the receipt and the contact sheet use for what was done to a document, and the receipt JSON staying as
/// it was for renditions that were only compressed or drawn (so receipts issued before read the same).
/// </summary>
public sealed class ReceiptConversionWordsTests
{
    [Fact]
    public void A_converted_searchable_archived_signed_document_is_described_in_sentences_in_the_order_done()
    {
        var report = new ProcessingReport(10, 20, [], [ProcessingReport.SignedOriginalWarning]) { ConvertedFrom = "OpenDocument", TextLayerPages = 2, Archival = "PDF/A-2b" };

        Assert.Equal(["Converted from OpenDocument to PDF.", "Searchable text added to 2 pages.", "Archival PDF/A-2b copy made.",
            "The digital signatures apply to the original, not to this copy."], report.Conversions());
        Assert.Equal(["Searchable text added to 1 page."], new ProcessingReport(1, 1, [], []) { TextLayerPages = 1 }.Conversions());
        Assert.Empty(new ProcessingReport(1, 1, ["Recompressed 3 images."], []) { TextLayerPages = 0 }.Conversions()); // OCR asked, nothing to add
    }

    [Fact]
    public void A_rendition_without_conversions_is_written_exactly_as_before_and_an_old_receipt_still_reads()
    {
        var plain = new ReceiptProcessing(null, null, [new ReceiptRendition("applications/a/documents/d/renditions/r", "application/pdf", "ab")]);
        Assert.Equal("""{"signatureVerdict":null,"note":null,"renditions":[{"name":"applications/a/documents/d/renditions/r","mediaType":"application/pdf","sha256":"ab"}]}""",
            System.Text.Json.JsonSerializer.Serialize(plain));

        const string old = """
            {"iss":"docengine","typ":"docengine.receipt.v1","tenant":"t","application":"applications/a","document":"applications/a/documents/d","filename":"x.pdf",
             "sizeBytes":3,"sha256":"ab","mediaType":"application/pdf","pages":1,"receivedAt":"2026-01-01T00:00:00+00:00","supplementary":false,"version":1,
             "processing":{"signatureVerdict":null,"note":null,"renditions":[{"name":"r","mediaType":"application/pdf","sha256":"cd"}]},
             "sequence":1,"previousReceiptSha256":null,"issuedAt":"2026-01-01T00:00:00+00:00"}
            """;
        var payload = ReceiptPayload.FromJson(Encoding.UTF8.GetBytes(old))!;
        var rendition = Assert.Single(payload.Processing.Renditions);
        Assert.Equal((null, null, null, null, null), (payload.Processing.Conversion, rendition.ConvertedFrom, rendition.TextLayerPages, rendition.Archival, rendition.Done));
    }
}
