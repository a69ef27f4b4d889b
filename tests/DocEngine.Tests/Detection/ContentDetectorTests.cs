using System.IO.Compression;
using System.Text;
using DocEngine.Core.Detection;

namespace DocEngine.Tests.Detection;

/// <summary>Detection from the bytes, never the name; what is not a document is refused with a sentence saying what to do.</summary>
public sealed class ContentDetectorTests
{
    [Theory]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0 }, DocumentKind.Jpeg, "image/jpeg")]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, DocumentKind.Png, "image/png")]
    [InlineData(new byte[] { 0x49, 0x49, 0x2A, 0x00 }, DocumentKind.Tiff, "image/tiff")]
    [InlineData(new byte[] { 0x4D, 0x4D, 0x00, 0x2A }, DocumentKind.Tiff, "image/tiff")]
    [InlineData(new byte[] { 0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A }, DocumentKind.Jpeg2000, "image/jp2")]
    [InlineData(new byte[] { 0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1 }, DocumentKind.LegacyOffice, "application/msword")]
    [InlineData(new byte[] { 0x4D, 0x5A, 0x90, 0x00 }, DocumentKind.Executable, "application/octet-stream")]
    [InlineData(new byte[] { 0x7F, 0x45, 0x4C, 0x46 }, DocumentKind.Executable, "application/octet-stream")]
    public void Magic_bytes_decide_the_kind(byte[] head, DocumentKind kind, string mediaType)
    {
        var detection = Detect(Pad(head), "whatever.bin");
        Assert.Equal(kind, detection.Kind);
        Assert.Equal(mediaType, detection.MediaType);
    }

    [Theory]
    [InlineData("GIF89a", DocumentKind.Gif)]
    [InlineData("%PDF-1.7\n", DocumentKind.Pdf)]
    [InlineData("junk before the header %PDF-1.4\n", DocumentKind.Pdf)]
    [InlineData("{\\rtf1\\ansi", DocumentKind.Rtf)]
    [InlineData("#!/bin/sh\nrm -rf /", DocumentKind.Executable)]
    [InlineData("\uFEFF  <!DOCTYPE html><html><body>", DocumentKind.Html)]
    [InlineData("<html><head>", DocumentKind.Html)]
    [InlineData("just some text", DocumentKind.Unknown)]
    public void Text_signatures_decide_the_kind(string head, DocumentKind kind) =>
        Assert.Equal(kind, Detect(Encoding.UTF8.GetBytes(head), null).Kind);

    [Theory]
    [InlineData("ftypheic", DocumentKind.Heic)]
    [InlineData("ftypmif1", DocumentKind.Heif)]
    [InlineData("ftypavif", DocumentKind.Avif)]
    public void Iso_media_brands_tell_heic_heif_and_avif_apart(string box, DocumentKind kind)
    {
        var bytes = new byte[32];
        bytes[3] = 24;
        Encoding.ASCII.GetBytes(box).CopyTo(bytes, 4);
        Assert.Equal(kind, Detect(bytes, null).Kind);
    }

    [Fact]
    public void A_word_document_renamed_pdf_is_refused_with_a_sentence_that_says_so()
    {
        var detection = Detect(Zip(("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w:document/>")), "passport.pdf");

        Assert.Equal(DocumentKind.WordDocx, detection.Kind);
        Assert.Equal("The name ends in .pdf but the file is a Word document (.docx).", detection.NameMismatch);
        var refusal = Assert.Throws<DocEngineException>(() => Refusals.ThrowIfUnsupported(detection));
        Assert.Equal(ErrorKind.InvalidArgument, refusal.Kind);
        Assert.Equal("OFFICE_DOCUMENT", refusal.Reason);
        Assert.StartsWith("This file is a Word document (.docx) renamed .pdf: open it and save it as PDF", refusal.Message);
    }

    [Fact]
    public void Office_and_opendocument_archives_are_told_apart_from_plain_zips()
    {
        Assert.Equal(DocumentKind.ExcelXlsx, Detect(Zip(("[Content_Types].xml", "<Types/>"), ("xl/workbook.xml", "<workbook/>")), null).Kind);
        Assert.Equal(DocumentKind.OpenDocument, Detect(Zip(("mimetype", "application/vnd.oasis.opendocument.text"), ("content.xml", "<office/>")), null).Kind);
        var zip = Detect(Zip(("scan1.pdf", "%PDF-1.4")), "documents.zip");
        Assert.Equal(DocumentKind.Zip, zip.Kind);
        Assert.Null(zip.NameMismatch);
        Assert.Equal("ARCHIVE", Refusals.For(zip).Reason);
    }

    [Fact]
    public void An_empty_file_is_refused_as_empty()
    {
        var detection = Detect([], "scan.pdf");
        Assert.Equal(DocumentKind.Empty, detection.Kind);
        Assert.Equal("EMPTY_FILE", Assert.Throws<DocEngineException>(() => Refusals.ThrowIfUnsupported(detection)).Reason);
    }

    [Fact]
    public void A_photo_named_pdf_is_detected_as_the_photo_and_the_mismatch_is_reported()
    {
        var detection = Detect(Pad([0xFF, 0xD8, 0xFF, 0xE1]), "statement.pdf");
        Assert.True(detection.IsSupported);
        Assert.Equal("The name ends in .pdf but the file is a JPEG image.", detection.NameMismatch);
    }

    private static DocEngine.Core.Detection.DetectedType Detect(byte[] bytes, string? name) => ContentDetector.Detect(new MemoryStream(bytes), name);

    private static byte[] Pad(byte[] head) => [.. head, .. new byte[64]];

    private static byte[] Zip(params (string Name, string Content)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open());
                writer.Write(content);
            }
        }
        return buffer.ToArray();
    }
}
