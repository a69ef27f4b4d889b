using System.Security.Cryptography.X509Certificates;
using System.Text;
using PdfSharp.Drawing;
using PdfSharp.Pdf;
using PdfSharp.Pdf.Annotations;
using PdfSharp.Pdf.Signatures;

namespace DocEngine.Tests.Infrastructure.SignedPdfs;

/// <summary>A valid signed one-page PDF made with PDFsharp 6's own DigitalSignatureHandler and a SignedCms-based signer.</summary>
public static class PdfSharpSigning
{
    /// <summary>The text the page draws.</summary>
    public const string PageText = "Signed with PDFsharp";

    /// <summary>A one-page PDF with some text, signed by PDFsharp with <paramref name="cms"/> (default: RSA signer, SHA-256).</summary>
    public static byte[] CreateSigned(CmsOptions? cms = null, string reason = "PDFsharp test signature")
    {
        cms ??= new CmsOptions();
        using var document = new PdfDocument();
        document.Options.CompressContentStreams = false;
        var page = document.AddPage();
        page.Width = XUnit.FromPoint(595);
        page.Height = XUnit.FromPoint(842);

        // Text without XGraphics: PDFsharp's Core build has no font resolver on Linux.
        var font = new PdfDictionary(document);
        font.Elements.SetName("/Type", "/Font");
        font.Elements.SetName("/Subtype", "/Type1");
        font.Elements.SetName("/BaseFont", "/Helvetica");
        font.Elements.SetName("/Encoding", "/WinAnsiEncoding");
        document.Internals.AddObject(font);
        var fonts = new PdfDictionary(document);
        fonts.Elements.SetReference("/F1", font);
        page.Resources.Elements["/Font"] = fonts;
        var content = page.Contents.AppendContent();
        content.CreateStream(Encoding.ASCII.GetBytes($"BT /F1 18 Tf 72 780 Td ({PageText}) Tj ET"));

        var options = new DigitalSignatureOptions
        {
            Reason = reason,
            Location = "Test",
            ContactInfo = "tests@docengine.invalid",
            AppName = "DocEngine tests",
            PageIndex = 0,
            Rectangle = new XRect(72, 600, 200, 50),
            AppearanceHandler = new BoxAppearance(),
        };
        DigitalSignatureHandler.ForDocument(document, new SignedCmsDigitalSigner(cms), options);
        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    /// <summary>PDFsharp's <see cref="IDigitalSigner"/> on top of <see cref="CmsSignatureMaker"/>.</summary>
    private sealed class SignedCmsDigitalSigner(CmsOptions cms) : IDigitalSigner
    {
        private readonly X509Certificate2 _certificate = cms.Signer ?? TestPki.Shared.RsaSigner;

        public string CertificateName => _certificate.GetNameInfo(X509NameType.SimpleName, false);

        // The placeholder size in bytes: a trial signature plus room for the variable parts.
        public Task<int> GetSignatureSizeAsync() => Task.FromResult(CmsSignatureMaker.Sign([0], cms).Length + 2048);

        public Task<byte[]> GetSignatureAsync(Stream stream)
        {
            // PDFsharp's RangedStream starts at the end of the written file and throws from CanSeek (so no CopyTo);
            // rewind it and read it in one call of its full length.
            stream.Position = 0;
            var content = new byte[stream.Length];
            var read = stream.Read(content, 0, content.Length);
            return read == content.Length
                ? Task.FromResult(CmsSignatureMaker.Sign(content, cms))
                : throw new InvalidOperationException($"Read {read} of {content.Length} bytes to sign.");
        }
    }

    /// <summary>A signature appearance drawn without fonts.</summary>
    private sealed class BoxAppearance : IAnnotationAppearanceHandler
    {
        public void DrawAppearance(XGraphics gfx, XRect rect) => gfx.DrawRectangle(XPens.DarkBlue, new XRect(0, 0, rect.Width, rect.Height));
    }
}
