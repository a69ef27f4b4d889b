using System.Text;
using DocEngine.Core.Signatures;

namespace DocEngine.Tests.Infrastructure.SignedPdfs;

/// <summary>A signed-PDF fixture with the verdict it deserves (its signatures checked against the test root), for the attack tests and the pdfsig table.</summary>
public sealed record Fixture(string Id, string Family, string Description, SignatureVerdict Expected, Func<byte[]> Build, string? Sentence = null)
{
    public override string ToString() => Id;
}

/// <summary>
/// The attack families the issue names, each in several variants, beside the permitted changes they resemble:
/// shadow attacks (Mainka, Mladenov, Rohlmann, NDSS 2021), sneaky appearance overwrites, evil annotations and sneaky
/// signatures on certified documents (IEEE S&amp;P 2021), and the 2019 incremental saving, signature wrapping and
/// universal forgery attacks (Mladenov et al., CCS 2019).
/// </summary>
public static class AttackCatalog
{
    private const SignatureVerdict Valid = SignatureVerdict.Valid;
    private const SignatureVerdict Modified = SignatureVerdict.Modified;
    private const SignatureVerdict Invalid = SignatureVerdict.Invalid;
    private const SignatureVerdict NotSigned = SignatureVerdict.NotSigned;

    public static IReadOnlyList<Fixture> Fixtures { get; } =
    [
        // Shadow attacks: hide
        new("shadow-hide-annotation", "shadow: hide", "the opaque annotation that covered a line when it was signed is removed", Modified,
            () => With(new FormPdfOptions { Overlay = true }, s => Tamper.RemoveAnnotation(s.Bytes, s.Form.Extras["Overlay"])), "shadow attack"),
        new("shadow-hide-xobject-xref", "shadow: hide", "an xref-only update points the covering XObject at an empty body hidden in the signed file", Modified,
            () => With(new FormPdfOptions { Logo = true, Shadows = true }, s => Relocate(s, "logo")), "what a page shows"),
        new("shadow-hide-annotation-appearance", "shadow: hide", "the covering annotation's appearance stream is overwritten with nothing", Modified,
            () => With(new FormPdfOptions { Overlay = true }, s => IncrementalUpdate.Append(s.Bytes, PdfObjectWrite.Stream(s.Form.Extras["Overlay"] + 1, "/Type /XObject /Subtype /Form /BBox [0 0 360 35]", ""))),
            "was redrawn"),
        // Shadow attacks: replace
        new("shadow-replace-font", "shadow: replace", "the page's font is replaced by one whose encoding swaps glyphs", Modified,
            () => With(null, s => IncrementalUpdate.Append(s.Bytes, PdfObjectWrite.Of(5, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Differences [49 /nine /eight] >> >>"))),
            "a font"),
        new("shadow-replace-xobject", "shadow: replace", "the XObject the page draws is replaced by one drawing other text", Modified,
            () => With(new FormPdfOptions { Logo = true }, s => IncrementalUpdate.Append(s.Bytes, PdfObjectWrite.Stream(s.Form.Extras["Logo"], "/Type /XObject /Subtype /Form /BBox [0 0 300 30] /Resources << /Font << /F1 5 0 R >> >>", "BT /F1 14 Tf 0 5 Td (Approved: 1,000,000 EUR) Tj ET"))),
            "what a page shows"),
        new("shadow-replace-resources", "shadow: replace", "the page's resource dictionary maps /Logo to a new XObject", Modified,
            () => With(new FormPdfOptions { Logo = true, IndirectResources = true }, s => IncrementalUpdate.Append(s.Bytes,
                PdfObjectWrite.Stream(90, "/Type /XObject /Subtype /Form /BBox [0 0 300 30]", "0 0 1 rg 0 0 300 30 re f"),
                PdfObjectWrite.Of(s.Form.Extras["Resources"], "<< /Font << /F1 5 0 R >> /XObject << /Logo 90 0 R >> >>"))),
            "what a page shows"),
        // Shadow attacks: hide-and-replace
        new("shadow-hide-and-replace-root", "shadow: hide-and-replace", "an update with no objects points /Root at a second catalog hidden in the signed file", Modified,
            () => With(new FormPdfOptions { Shadows = true }, s => IncrementalUpdate.Append(s.Bytes, new UpdateOptions
            {
                Relocations = new[] { "pages", "page", "page-content", "catalog-elsewhere" }.ToDictionary(n => s.Form.ShadowOffsets[n].Number, n => s.Form.ShadowOffsets[n].Offset),
                Root = $"{s.Form.ShadowOffsets["catalog-elsewhere"].Number} 0 R",
            })), "/Pages was changed"),
        new("shadow-hide-and-replace-catalog", "shadow: hide-and-replace", "an xref-only update points the catalog's own number at a shadow catalog body", Modified,
            () => With(new FormPdfOptions { Shadows = true }, s => IncrementalUpdate.Append(s.Bytes, new UpdateOptions
            {
                Relocations = new Dictionary<int, long>
                {
                    [1] = s.Form.ShadowOffsets["catalog"].Offset,
                    [s.Form.ShadowOffsets["pages"].Number] = s.Form.ShadowOffsets["pages"].Offset,
                    [s.Form.ShadowOffsets["page"].Number] = s.Form.ShadowOffsets["page"].Offset,
                    [s.Form.ShadowOffsets["page-content"].Number] = s.Form.ShadowOffsets["page-content"].Offset,
                },
            })), "/Pages was changed"),
        new("shadow-hide-and-replace-content", "shadow: hide-and-replace", "an xref-only update points the page content's number at a shadow body", Modified,
            () => With(new FormPdfOptions { Shadows = true }, s => Relocate(s, "content")), "what a page shows"),
        // Sneaky appearance overwrites
        new("sneaky-shared-appearance", "sneaky appearance", "an appearance stream two fields show is overwritten (P=2)", Modified,
            () => With(new FormPdfOptions { SharedAppearance = true }, s => Tamper.OverwriteSharedAppearance(s.Bytes), Certify(2)), "also used elsewhere"),
        new("sneaky-signed-appearance-in-place", "sneaky appearance", "the signed field's appearance stream is rewritten in place", Modified,
            () => With(new FormPdfOptions { SignatureAppearance = true }, s => IncrementalUpdate.Append(s.Bytes, PdfObjectWrite.Stream(s.Form.Extras["SignatureAppearance"],
                "/Type /XObject /Subtype /Form /BBox [0 0 250 60]", "BT /Helv 10 Tf 5 25 Td (Approved by the director) Tj ET"))), "already signed field"),
        new("sneaky-appearance-xref-redefined", "sneaky appearance", "a later cross-reference section points the signed field's appearance at another body already in the file", Modified,
            () => With(new FormPdfOptions { SignatureAppearance = true, Shadows = true }, s => Relocate(s, "signature-appearance")), "already signed field"),
        new("sneaky-appearance-hybrid-xrefstm", "sneaky appearance", "the update's trailer names an /XRefStm that redefines the signed field's appearance (hybrid file)", Modified,
            () => With(new FormPdfOptions { SignatureAppearance = true }, s => IncrementalUpdate.Append(s.Bytes, new UpdateOptions
            {
                Objects = [PdfObjectWrite.Stream(s.Form.Extras["SignatureAppearance"], "/Type /XObject /Subtype /Form /BBox [0 0 250 60]", "BT /Helv 10 Tf 5 25 Td (Approved) Tj ET")],
                Hybrid = true,
            })), "already signed field"),
        // Evil annotations (certification, P=2 and P=3)
        new("evil-annotation-freetext-p2", "evil annotation", "a FreeText annotation added after a P=2 certification", Modified,
            () => With(null, s => Tamper.AddAnnotation(s.Bytes, freeText: true), Certify(2)), "annotation was added"),
        new("evil-annotation-freetext-p3", "evil annotation", "a FreeText annotation added after a P=3 certification", Modified,
            () => With(null, s => Tamper.AddAnnotation(s.Bytes, freeText: true), Certify(3)), "evil-annotation"),
        new("evil-annotation-stamp-p3", "evil annotation", "a stamp with an opaque appearance added after a P=3 certification", Modified,
            () => With(null, s => AddAppearanceAnnotation(s.Bytes, "Stamp", "300 380 500 440"), Certify(3)), "evil-annotation"),
        new("evil-annotation-square-p3", "evil annotation", "a white square added over the text after a P=3 certification", Modified,
            () => With(null, s => AddAppearanceAnnotation(s.Bytes, "Square", "60 730 480 760"), Certify(3)), "evil-annotation"),
        new("permitted-sticky-note-p3", "evil annotation (permitted)", "a sticky note added after a P=3 certification", Valid,
            () => With(null, s => Tamper.AddAnnotation(s.Bytes), Certify(3))),
        new("permitted-highlight-p3", "evil annotation (permitted)", "a highlight without its own appearance added after a P=3 certification", Valid,
            () => With(null, s => AddAnnotation(s.Bytes, "/Subtype /Highlight /Rect [70 775 400 800] /QuadPoints [70 800 400 800 70 775 400 775] /C [1 1 0]"), Certify(3))),
        new("permitted-freetext-approval", "evil annotation (permitted)", "a FreeText annotation added after an approval signature", Valid,
            () => With(null, s => Tamper.AddAnnotation(s.Bytes, freeText: true))),
        // Sneaky signatures (certification)
        new("sneaky-signature-p2", "sneaky signature", "a new visible signature field added and signed after a P=2 certification", Modified,
            () => With(null, s => PdfSigner.Sign(Tamper.AddSignatureField(s.Bytes, "Signature3", "60 390 420 425"), new PdfSignOptions { FieldName = "Signature3" }).Bytes, Certify(2)),
            "sneaky signature"),
        new("sneaky-signature-unsigned-p2", "sneaky signature", "a new visible signature field with an appearance but no signature added after a P=2 certification", Modified,
            () => With(null, s => Tamper.AddSignatureField(s.Bytes, "Signature3", "60 390 420 425", "1 g 0 0 200 60 re f 0 g BT /Helv 12 Tf 5 25 Td (Approved) Tj ET"), Certify(2)),
            "sneaky signature"),
        new("sneaky-signature-p3", "sneaky signature", "a new visible signature field added and signed after a P=3 certification", Modified,
            () => With(null, s => PdfSigner.Sign(Tamper.AddSignatureField(s.Bytes, "Signature3", "60 390 420 425"), new PdfSignOptions { FieldName = "Signature3" }).Bytes, Certify(3)),
            "sneaky signature"),
        new("permitted-invisible-signature-p2", "sneaky signature (permitted)", "a new invisible signature field added and signed after a P=2 certification", Valid,
            () => With(null, s => PdfSigner.Sign(Tamper.AddSignatureField(s.Bytes, "Signature3", "0 0 0 0"), new PdfSignOptions { FieldName = "Signature3" }).Bytes, Certify(2))),
        new("permitted-prepared-field-signed-p2", "sneaky signature (permitted)", "the empty field the certifier prepared signed after a P=2 certification", Valid,
            () => With(null, s => PdfSigner.Sign(s.Bytes, new PdfSignOptions { FieldName = "Signature2" }).Bytes, Certify(2))),
        // Incremental saving attacks (2019)
        new("isa-objects-without-xref", "incremental saving", "a new body for the page content appended with no cross-reference section", Modified,
            () => With(null, s => IncrementalUpdate.Append(s.Bytes, new UpdateOptions { Objects = [PdfObjectWrite.Stream(4, "", "BT /F1 18 Tf 72 780 Td (Appended) Tj ET")], ObjectsOnly = true })),
            "belong to no revision"),
        new("isa-no-startxref", "incremental saving", "an update whose xref and trailer are written but no startxref or %%EOF", Modified,
            () => With(null, s => WithoutStartXref(Tamper.ReplaceContentStream(s.Bytes))), "belong to no revision"),
        new("isa-no-prev", "incremental saving", "an update whose trailer has no /Prev, redefining the page content", Modified,
            () => With(null, s => IncrementalUpdate.Append(s.Bytes, new UpdateOptions { Objects = [PdfObjectWrite.Stream(4, "", "BT /F1 18 Tf 72 780 Td (New start) Tj ET")], NoPrev = true }))),
        new("isa-catalog-redefined", "incremental saving", "an update redefining the catalog with an /OpenAction", Modified,
            () => With(null, s => IncrementalUpdate.Append(s.Bytes, PdfObjectWrite.Of(1, "<< /Type /Catalog /Pages 2 0 R /AcroForm 6 0 R /OpenAction << /S /URI /URI (http://evil.invalid) >> >>"))),
            "/OpenAction was added"),
        // Signature wrapping (2019)
        new("swa-contents-shortened", "signature wrapping", "the /Contents hex string is closed early and an object hidden in the unsigned gap is used by a later update", Invalid,
            () => With(null, WrapInGap), "signature wrapping"),
        new("swa-byterange-shrunk", "signature wrapping", "the /ByteRange is rewritten to leave the end of the file unsigned", Invalid,
            () => With(null, s => ShrinkByteRange(s.Signature))),
        new("swa-second-range-moved", "signature wrapping", "the second signed range starts later than the end of /Contents", Invalid,
            () => With(null, s => MoveSecondRange(s.Signature))),
        // Universal signature forgery (2019)
        new("usf-contents-empty", "universal forgery", "a signature dictionary with an empty /Contents", NotSigned,
            () => Forge("/Contents <> /ByteRange [0 10 20 30]")),
        new("usf-contents-zeros", "universal forgery", "a signature dictionary whose /Contents is all zeros", NotSigned,
            () => Forge("/Contents <0000000000> /ByteRange [0 10 20 30]")),
        new("usf-byterange-missing", "universal forgery", "a real CMS signature from another document with no /ByteRange", Invalid,
            () => Forge($"/Contents <{Convert.ToHexString(PdfSigner.Sign(FormPdf.Create().Bytes).Contents)}>")),
        new("usf-byterange-null", "universal forgery", "a /ByteRange of null", Invalid,
            () => Forge($"/Contents <{Convert.ToHexString(PdfSigner.Sign(FormPdf.Create().Bytes).Contents)}> /ByteRange null")),
        new("usf-byterange-zeros", "universal forgery", "a /ByteRange of [0 0 0 0]", Invalid,
            () => Forge($"/Contents <{Convert.ToHexString(PdfSigner.Sign(FormPdf.Create().Bytes).Contents)}> /ByteRange [0 0 0 0]")),
        new("usf-contents-garbage", "universal forgery", "a /Contents that is not CMS", Invalid,
            () => Forge("/Contents <3082FFFF0102> /ByteRange [0 10 20 30]")),
    ];

    private static PdfSignOptions Certify(int permissions) => new() { DocMdp = true, DocMdpPermissions = permissions };

    /// <summary>Builds the form, signs Signature1 (as <paramref name="sign"/> says) and makes the change.</summary>
    private static byte[] With(FormPdfOptions? options, Func<SignedForm, byte[]> change, PdfSignOptions? sign = null)
    {
        var form = FormPdf.Create(options);
        var signed = PdfSigner.Sign(form.Bytes, sign);
        return change(new SignedForm(signed.Bytes, form, signed));
    }

    /// <summary>An update with no new body: the number of the shadow <paramref name="name"/> pointed at its hidden body.</summary>
    private static byte[] Relocate(SignedForm signed, string name)
    {
        var (number, offset) = signed.Form.ShadowOffsets[name];
        return IncrementalUpdate.Append(signed.Bytes, new UpdateOptions { Relocations = new Dictionary<int, long> { [number] = offset } });
    }

    private static byte[] AddAnnotation(byte[] pdf, string entries)
    {
        var page = PdfObjectReader.FirstPage(pdf);
        var pageBody = PdfObjectReader.ReadObject(pdf, page);
        var annotation = IncrementalUpdate.NextObjectNumber(pdf);
        var annots = PdfObjectReader.References(pageBody, "Annots").Select(a => $"{a} 0 R").Append($"{annotation} 0 R");
        return IncrementalUpdate.Append(pdf, PdfObjectWrite.Of(annotation, $"<< /Type /Annot {entries} /P {page} 0 R /F 4 >>"),
            PdfObjectWrite.Of(page, PdfSigner.SetEntry(pageBody, "Annots", $"[{string.Join(" ", annots)}]")));
    }

    private static byte[] AddAppearanceAnnotation(byte[] pdf, string subtype, string rect)
    {
        var appearance = IncrementalUpdate.NextObjectNumber(pdf);
        var withStream = IncrementalUpdate.Append(pdf, PdfObjectWrite.Stream(appearance, "/Type /XObject /Subtype /Form /BBox [0 0 420 60]", "1 g 0 0 420 60 re f"));
        return AddAnnotation(withStream, $"/Subtype /{subtype} /Rect [{rect}] /AP << /N {appearance} 0 R >>");
    }

    private static byte[] WithoutStartXref(byte[] pdf)
    {
        var text = Encoding.Latin1.GetString(pdf);
        return Encoding.Latin1.GetBytes(text[..text.LastIndexOf("startxref", StringComparison.Ordinal)]);
    }

    /// <summary>
    /// Signature wrapping: the CMS stays where it was but /Contents now ends right after it; the rest of the unsigned gap
    /// is a string entry whose text is object 90 (new page content), which an update then uses. The signed bytes are
    /// untouched and the signature dictionary still parses.
    /// </summary>
    private static byte[] WrapInGap(SignedForm signed)
    {
        var bytes = signed.Signature.Bytes.ToArray();
        var hexEnd = (int)signed.Signature.ByteRange[1] + 1 + signed.Signature.Contents.Length * 2;
        var gapEnd = (int)signed.Signature.ByteRange[2];
        var hidden = Encoding.Latin1.GetBytes("> /Junk (90 0 obj\n<< /Length 45 >>\nstream\nBT /F1 18 Tf 72 780 Td (Wrapped content) Tj ET\nendstream\nendobj\n)");
        hidden.CopyTo(bytes, hexEnd);
        Array.Fill(bytes, (byte)' ', hexEnd + hidden.Length, gapEnd - hexEnd - hidden.Length);
        var offset = hexEnd + "> /Junk (".Length;
        return IncrementalUpdate.Append(bytes, new UpdateOptions
        {
            Relocations = new Dictionary<int, long> { [90] = offset },
            Objects = [PdfObjectWrite.Of(3, PdfSigner.SetEntry(PdfObjectReader.ReadObject(bytes, 3), "Contents", "90 0 R"))],
        });
    }

    private static byte[] ShrinkByteRange(SignedPdf signed) => PatchByteRange(signed, [0, signed.ByteRange[1], signed.ByteRange[2], signed.ByteRange[3] - 40]);

    private static byte[] MoveSecondRange(SignedPdf signed) => PatchByteRange(signed, [0, signed.ByteRange[1], signed.ByteRange[2] + 5, signed.ByteRange[3] - 5]);

    private static byte[] PatchByteRange(SignedPdf signed, long[] range)
    {
        var text = Encoding.Latin1.GetString(signed.Bytes);
        var at = text.LastIndexOf("/ByteRange", StringComparison.Ordinal);
        var end = text.IndexOf(']', at) + 1;
        var patched = $"/ByteRange [{range[0]} {range[1]} {range[2]} {range[3]}]";
        return Encoding.Latin1.GetBytes(text[..at] + patched.PadRight(end - at) + text[end..]);
    }

    /// <summary>An unsigned form whose Signature1 gets a signature dictionary with <paramref name="entries"/> in an update (USF).</summary>
    private static byte[] Forge(string entries)
    {
        var form = FormPdf.Create();
        var field = form.Fields["Signature1"];
        var signature = IncrementalUpdate.NextObjectNumber(form.Bytes);
        return IncrementalUpdate.Append(form.Bytes,
            PdfObjectWrite.Of(signature, $"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached {entries} /Name (Forged Signer) >>"),
            PdfObjectWrite.Of(field, PdfSigner.SetEntry(PdfObjectReader.ReadObject(form.Bytes, field), "V", $"{signature} 0 R")));
    }
}
