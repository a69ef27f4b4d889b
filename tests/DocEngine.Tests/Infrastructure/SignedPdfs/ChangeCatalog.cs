using System.Globalization;
using DocEngine.Core.Signatures;

namespace DocEngine.Tests.Infrastructure.SignedPdfs;

/// <summary>The signed document a change is made to: the file, the form it was made from, and the signature.</summary>
public sealed record SignedForm(byte[] Bytes, FormPdf Form, SignedPdf Signature);

/// <summary>
/// One row of the rule table in src/DocEngine.Core/Signatures/README.md: a change made after signing, the level it has
/// after an approval signature and once a certification is in force, and the form fixture it needs. <see cref="Field"/>
/// names the field whose value or appearance it changes (what a FieldMDP lock forbids).
/// </summary>
public sealed record ChangeRule(string Id, string Change, ModificationLevel Approval, ModificationLevel Certified, string Sentence,
    Func<SignedForm, byte[]> Apply, FormPdfOptions? Form = null, string? Field = null)
{
    public override string ToString() => Id;
}

/// <summary>Every rule of the table, each built with the incremental signer on the hand-written form.</summary>
public static class ChangeCatalog
{
    private const ModificationLevel None = ModificationLevel.None;
    private const ModificationLevel Archival = ModificationLevel.Archival;
    private const ModificationLevel Filling = ModificationLevel.FormFilling;
    private const ModificationLevel Annotations = ModificationLevel.Annotations;
    private const ModificationLevel Other = ModificationLevel.Other;

    public static IReadOnlyList<ChangeRule> Rules { get; } =
    [
        // The catalog
        new("catalog-open-action", "an /OpenAction added to the catalog", Other, Other, "/OpenAction was added",
            s => Catalog(s.Bytes, "OpenAction", "<< /S /JavaScript /JS (app.alert\\(1\\)) >>")),
        new("extensions-direct", "/Extensions added, direct (ESIC for PAdES)", Archival, Archival, "declared extensions",
            s => Catalog(s.Bytes, "Extensions", "<< /ESIC << /BaseVersion /1.7 /ExtensionLevel 1 >> >>")),
        new("extensions-indirect", "/Extensions added as its own objects", Archival, Archival, "declared extensions",
            s => ExtensionsIndirect(s.Bytes)),
        new("extensions-updated", "/Extensions updated (a higher level), each in its own update", Archival, Archival, "declared extensions",
            s => Catalog(Catalog(s.Bytes, "Extensions", "<< /ESIC << /BaseVersion /1.7 /ExtensionLevel 1 >> >>"), "Extensions", "<< /ESIC << /BaseVersion /1.7 /ExtensionLevel 2 >> /ADBE << /BaseVersion /1.7 /ExtensionLevel 8 >> >>")),
        new("extensions-abused", "/Extensions holding more than declarations (an action)", Other, Other, "more than extension declarations",
            s => Catalog(s.Bytes, "Extensions", "<< /ESIC << /BaseVersion /1.7 /ExtensionLevel 1 /A << /S /JavaScript /JS (x) >> >> >>")),
        new("catalog-version", "the catalog's /Version raised", Archival, Archival, "declared PDF version",
            s => Catalog(s.Bytes, "Version", "/2.0")),
        new("metadata-rewritten", "the XMP metadata stream rewritten in place", None, None, "XMP metadata was updated",
            s => IncrementalUpdate.Append(s.Bytes, PdfObjectWrite.Stream(s.Form.Extras["Metadata"], "/Type /Metadata /Subtype /XML", FormPdf.Xmp("Signed form, saved again"))),
            new FormPdfOptions { Metadata = true }),
        new("metadata-added", "XMP metadata added in a new stream", None, None, "XMP metadata was updated",
            s => WithNew(s.Bytes, n => [PdfObjectWrite.Stream(n, "/Type /Metadata /Subtype /XML", FormPdf.Xmp("Added by a signing tool")), CatalogWrite(s.Bytes, "Metadata", $"{n} 0 R")])),
        new("metadata-not-xml", "the metadata stream replaced by something that is not XML", Other, Other, "not an XML metadata stream",
            s => IncrementalUpdate.Append(s.Bytes, PdfObjectWrite.Stream(s.Form.Extras["Metadata"], "/Type /Metadata /Subtype /XML", "BT /F1 18 Tf (not xml) Tj ET")),
            new FormPdfOptions { Metadata = true }),
        new("info-updated", "the document information dictionary replaced", None, None, "document information",
            s => WithNewTrailerInfo(s.Bytes)),
        // Archival data
        new("dss-added", "a DSS with certificates, an OCSP response and a VRI entry added", Archival, Archival, "document security store",
            s => DssUpdate.Append(s.Bytes, new DssContent { Certificates = [TestPki.Shared.Root.RawData], Ocsps = [TestRevocation.Ocsp(TestPki.Shared.RsaSigner)], VriFor = s.Signature.Contents })),
        new("dss-extended", "the DSS extended by a second update (a new DSS object keeping the old entries)", Archival, Archival, "document security store",
            s => DssUpdate.Append(DssUpdate.Append(s.Bytes, new DssContent { Certificates = [TestPki.Shared.Root.RawData], VriFor = s.Signature.Contents }),
                new DssContent { Crls = [TestRevocation.Crl([])] })),
        new("dss-extended-in-place", "the DSS dictionary rewritten in place with more entries", Archival, Archival, "document security store",
            s => DssUpdate.Append(DssUpdate.Append(s.Bytes, new DssContent { Certificates = [TestPki.Shared.Root.RawData] }),
                new DssContent { Crls = [TestRevocation.Crl([])], InPlace = true })),
        new("dss-unexpected-entry", "a DSS holding an entry that is not validation data", Other, Other, "unexpected entry",
            s => DssUpdate.Append(s.Bytes, new DssContent { Certificates = [TestPki.Shared.Root.RawData], Extra = "/OpenAction << /S /JavaScript /JS (x) >>" })),
        new("vri-changed", "an existing VRI entry changed by a later update", Other, Other, "(VRI) was changed",
            s => ChangeVri(DssUpdate.Append(s.Bytes, new DssContent { Certificates = [TestPki.Shared.Root.RawData], VriFor = s.Signature.Contents }))),
        new("document-timestamp", "a document time-stamp added, with the form's /DA and /DR updated", Archival, Archival, "document time-stamp",
            s => PdfSigner.Sign(s.Bytes, new PdfSignOptions { FieldName = "Signature2", Kind = PdfSignatureKind.DocTimeStamp, ExtraWrites = [AcroFormWrite(s.Bytes, ("DA", "(/Helv 10 Tf 0 g)"), ("DR", "<< /Font << /Helv 5 0 R /ZaDb 5 0 R >> >>"))] }).Bytes),
        // The form
        new("field-filled", "a text field filled in (new value, new appearance)", Filling, Filling, "was filled in",
            s => Tamper.FillTextField(s.Bytes), Field: "ApplicantName"),
        new("field-redrawn", "a text field's own appearance stream rewritten in place", Filling, Filling, "was redrawn",
            s => Tamper.OverwriteSharedAppearance(s.Bytes), Field: "ApplicantName"),
        new("field-locked", "a field locked after signing (/F Locked, /Ff ReadOnly)", Filling, Filling, "read-only",
            s => FieldKeys(s.Bytes, "ApplicantName", ("F", "132"), ("Ff", "1"))),
        new("field-hidden", "a widget made hidden (/F Hidden)", Other, Other, "hidden, shown or otherwise re-flagged",
            s => FieldKeys(s.Bytes, "ApplicantName", ("F", "6"))),
        new("field-need-appearances", "the form's /NeedAppearances set", Filling, Filling, "/NeedAppearances was updated",
            s => IncrementalUpdate.Append(s.Bytes, AcroFormWrite(s.Bytes, ("NeedAppearances", "true")))),
        new("form-resources", "the form's default resources given another font", Filling, Filling, "/DR was updated",
            s => IncrementalUpdate.Append(s.Bytes, AcroFormWrite(s.Bytes, ("DR", "<< /Font << /Helv 5 0 R /ZaDb 5 0 R >> >>")))),
        new("form-xfa", "an XFA form added to the form", Other, Other, "/XFA was changed",
            s => WithNew(s.Bytes, n => [PdfObjectWrite.Stream(n, "", "<xdp:xdp xmlns:xdp=\"http://ns.adobe.com/xdp/\"/>"), AcroFormWrite(s.Bytes, ("XFA", $"{n} 0 R"))])),
        new("signature-field-signed", "the empty signature field Signature2 signed", Filling, Filling, "\"Signature2\" was signed",
            s => PdfSigner.Sign(s.Bytes, new PdfSignOptions { FieldName = "Signature2" }).Bytes),
        new("new-invisible-signature", "a new invisible signature field added and signed", Filling, Filling, "new signature field",
            s => PdfSigner.Sign(Tamper.AddSignatureField(s.Bytes, "Signature3", "0 0 0 0"), new PdfSignOptions { FieldName = "Signature3" }).Bytes),
        new("new-visible-signature", "a new visible signature field added and signed", Filling, Other, "new visible signature field",
            s => PdfSigner.Sign(Tamper.AddSignatureField(s.Bytes, "Signature3", "300 300 500 360"), new PdfSignOptions { FieldName = "Signature3" }).Bytes),
        new("new-text-field", "a new text field added", Other, Other, "new form field",
            s => Tamper.AddTextField(s.Bytes, "Amount", "300 300 500 330")),
        new("field-removed", "a form field removed from the form", Other, Other, "was removed from the form",
            s => IncrementalUpdate.Append(s.Bytes, AcroFormWithout(s.Bytes, s.Form.FullNameSignature!.Value))),
        new("signature-dictionary-altered", "the signature dictionary's /Reason edited", Other, Other, "a signature dictionary was altered",
            s => Tamper.EditReason(s.Bytes)),
        new("signed-appearance-replaced", "the signed field given a new appearance", Other, Other, "already signed field",
            s => FieldKeys(s.Bytes, "Signature1", ("AP", $"<< /N {s.Form.Extras["SignatureAppearance"]} 0 R /D {s.Form.Extras["SignatureAppearance"]} 0 R >>")),
            new FormPdfOptions { SignatureAppearance = true }),
        // Annotations
        new("comment-added", "a sticky note (/Text) added", Annotations, Annotations, "annotation was added on page 1",
            s => Tamper.AddAnnotation(s.Bytes)),
        new("free-text-added", "a FreeText annotation added (can cover content)", Annotations, Other, "evil-annotation",
            s => Tamper.AddAnnotation(s.Bytes, freeText: true)),
        new("comment-edited", "an existing comment's text edited", Annotations, Annotations, "text or state",
            s => ObjectKeys(s.Bytes, s.Form.Extras["Comment"], ("Contents", "(Checked again)")), new FormPdfOptions { Comment = true }),
        new("annotation-removed", "a visible annotation that was signed removed", Other, Other, "shadow attack",
            s => Tamper.RemoveAnnotation(s.Bytes, s.Form.Extras["Overlay"]), new FormPdfOptions { Overlay = true }),
        new("annotation-moved", "a visible annotation that was signed moved (/Rect)", Other, Other, "shadow attack",
            s => ObjectKeys(s.Bytes, s.Form.Extras["Overlay"], ("Rect", "[60 100 420 135]")), new FormPdfOptions { Overlay = true }),
        new("annotations-reordered", "a page's annotations put in another order", Annotations, Other, "another order",
            s => Tamper.ReverseAnnotations(s.Bytes), new FormPdfOptions { Comment = true }),
        // Pages and content
        new("page-added", "a page added", Other, Other, "page tree", s => Tamper.AppendPage(s.Bytes)),
        new("content-replaced", "the page's content stream replaced", Other, Other, "what a page shows", s => Tamper.ReplaceContentStream(s.Bytes)),
        new("font-replaced", "the page's font (also the form's default font) replaced", Other, Other, "a font",
            s => IncrementalUpdate.Append(s.Bytes, PdfObjectWrite.Of(5, "<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding << /Differences [65 /B /A] >> >>"))),
        new("xobject-replaced", "an XObject the page draws replaced", Other, Other, "what a page shows",
            s => IncrementalUpdate.Append(s.Bytes, PdfObjectWrite.Stream(s.Form.Extras["Logo"], "/Type /XObject /Subtype /Form /BBox [0 0 300 30]", "")), new FormPdfOptions { Logo = true }),
        new("resources-replaced", "the page's resource dictionary replaced", Other, Other, "what a page shows",
            s => IncrementalUpdate.Append(s.Bytes, PdfObjectWrite.Of(s.Form.Extras["Resources"], "<< /Font << /F1 5 0 R /F2 5 0 R >> >>")), new FormPdfOptions { IndirectResources = true }),
        new("shared-appearance-overwritten", "an appearance stream two widgets show overwritten", Other, Other, "also used elsewhere",
            s => Tamper.OverwriteSharedAppearance(s.Bytes), new FormPdfOptions { SharedAppearance = true }),
        // Tagging
        new("tagged-signing", "a signature added to a tagged form with its structure element", Filling, Filling, "structure tree (tagging) was extended",
            s => TaggedSigning(s), new FormPdfOptions { Tagged = true }),
        new("tagged-annotation", "an annotation added to a tagged form with its structure element", Annotations, Annotations, "structure tree (tagging) was extended",
            s => TaggedAnnotation(s), new FormPdfOptions { Tagged = true }),
        new("tagging-text-changed", "an existing structure element's /ActualText set", Other, Other, "assistive technology",
            s => ObjectKeys(s.Bytes, s.Form.Extras["Heading"], ("ActualText", "(Pay 1,000,000 EUR)")), new FormPdfOptions { Tagged = true }),
        // The file
        new("identical-rewrite", "an object rewritten unchanged", None, None, "", s => Tamper.ResaveUnchanged(s.Bytes)),
        new("unused-object-rewritten", "an object nothing uses rewritten", None, None, "which nothing in the signed revision used",
            s => RewriteUnused(s.Bytes)),
        new("catalog-moved", "the catalog moved to a new object, unchanged", None, None, "",
            s => MoveCatalog(s.Bytes)),
        new("object-freed", "an object the page uses freed", Other, Other, "was deleted",
            s => IncrementalUpdate.Append(s.Bytes, [], [new PdfObjectFree(5, 1)])),
        new("bytes-appended", "bytes appended after the last revision", Other, Other, "belong to no revision",
            s => [.. s.Bytes, .. "\n7 0 obj << /Injected true >> endobj\n"u8.ToArray()]),
    ];

    /// <summary>The DocMDP and FieldMDP settings each rule is tried under.</summary>
    public static IReadOnlyList<string> Settings { get; } = ["approval", "P1", "P2", "P3", "FieldMDP"];

    /// <summary>Signs the rule's form in Signature1 under <paramref name="setting"/>.</summary>
    public static SignedForm Sign(ChangeRule rule, string setting)
    {
        var form = FormPdf.Create(rule.Form);
        var options = setting switch
        {
            "P1" or "P2" or "P3" => new PdfSignOptions { DocMdp = true, DocMdpPermissions = setting[1] - '0' },
            "FieldMDP" => new PdfSignOptions { FieldMdpInclude = ["ApplicantName"] },
            _ => new PdfSignOptions(),
        };
        var signed = PdfSigner.Sign(form.Bytes, options);
        return new SignedForm(signed.Bytes, form, signed);
    }

    /// <summary>The highest level the setting allows (ISO 32000-2 §12.8.2.2): approval signatures allow annotations.</summary>
    public static ModificationLevel Allowed(string setting) => setting switch
    {
        "P1" => Archival,
        "P2" => Filling,
        _ => Annotations,
    };

    /// <summary>The level a rule's change has under a setting: certified rules under P1–P3, a FieldMDP lock on the field it changes.</summary>
    public static ModificationLevel Expected(ChangeRule rule, string setting) =>
        setting == "FieldMDP" && rule.Field == "ApplicantName" ? Other : setting.StartsWith('P') ? rule.Certified : rule.Approval;

    private static byte[] Catalog(byte[] pdf, string key, string value) => IncrementalUpdate.Append(pdf, CatalogWrite(pdf, key, value));

    private static PdfObjectWrite CatalogWrite(byte[] pdf, string key, string value)
    {
        var catalog = PdfObjectReader.RootObject(pdf);
        return PdfObjectWrite.Of(catalog, PdfSigner.SetEntry(PdfObjectReader.ReadObject(pdf, catalog), key, value));
    }

    private static byte[] WithNew(byte[] pdf, Func<int, IEnumerable<PdfObjectWrite>> writes) =>
        IncrementalUpdate.Append(pdf, writes(IncrementalUpdate.NextObjectNumber(pdf)));

    private static byte[] ExtensionsIndirect(byte[] pdf) => WithNew(pdf, n =>
    [
        PdfObjectWrite.Of(n, $"<< /ESIC {n + 1} 0 R >>"),
        PdfObjectWrite.Of(n + 1, "<< /Type /DeveloperExtensions /BaseVersion /1.7 /ExtensionLevel 1 >>"),
        CatalogWrite(pdf, "Extensions", $"{n} 0 R"),
    ]);

    private static byte[] WithNewTrailerInfo(byte[] pdf)
    {
        var number = IncrementalUpdate.NextObjectNumber(pdf);
        return IncrementalUpdate.Append(pdf, new UpdateOptions
        {
            Objects = [PdfObjectWrite.Of(number, "<< /Title (Signed form) /ModDate (D:20260101000000Z) >>")],
            Info = $"{number} 0 R",
        });
    }

    private static byte[] ChangeVri(byte[] pdf)
    {
        var dss = PdfObjectReader.Reference(PdfObjectReader.ReadObject(pdf, PdfObjectReader.RootObject(pdf)), "DSS")!.Value;
        var vri = PdfObjectReader.Reference(PdfObjectReader.ReadObject(pdf, dss), "VRI")!.Value;
        var body = PdfObjectReader.ReadObject(pdf, vri);
        return IncrementalUpdate.Append(pdf, PdfObjectWrite.Of(vri, body.Replace("/Cert [", "/Cert [] /Old [", StringComparison.Ordinal)));
    }

    /// <summary>The form dictionary (object 6) rewritten with <paramref name="entries"/> set.</summary>
    private static PdfObjectWrite AcroFormWrite(byte[] pdf, params (string Key, string Value)[] entries)
    {
        var body = PdfObjectReader.ReadObject(pdf, 6);
        foreach (var (key, value) in entries)
        {
            body = PdfSigner.SetEntry(body, key, value);
        }
        return PdfObjectWrite.Of(6, body);
    }

    /// <summary>The form dictionary (object 6) rewritten with field <paramref name="field"/> left out of /Fields.</summary>
    private static PdfObjectWrite AcroFormWithout(byte[] pdf, int field)
    {
        var body = PdfObjectReader.ReadObject(pdf, 6);
        var fields = PdfObjectReader.References(body, "Fields").Where(f => f != field).Select(f => $"{f} 0 R");
        return PdfObjectWrite.Of(6, PdfSigner.SetEntry(body, "Fields", $"[{string.Join(" ", fields)}]"));
    }

    private static byte[] FieldKeys(byte[] pdf, string name, params (string Key, string Value)[] entries) =>
        ObjectKeys(pdf, PdfObjectReader.Field(pdf, name), entries);

    private static byte[] ObjectKeys(byte[] pdf, int number, params (string Key, string Value)[] entries)
    {
        var body = PdfObjectReader.ReadObject(pdf, number);
        foreach (var (key, value) in entries)
        {
            body = PdfSigner.SetEntry(body, key, value);
        }
        return IncrementalUpdate.Append(pdf, PdfObjectWrite.Of(number, body));
    }

    private static byte[] TaggedSigning(SignedForm signed)
    {
        var field = PdfObjectReader.Field(signed.Bytes, "Signature2");
        var element = IncrementalUpdate.NextObjectNumber(signed.Bytes) + 1; // the signature dictionary takes the next number
        var (writes, key) = Tagging.Tag(signed.Bytes, signed.Form, field, element);
        var fieldBody = PdfSigner.SetEntry(PdfObjectReader.ReadObject(signed.Bytes, field), "StructParent", key.ToString(CultureInfo.InvariantCulture));
        return PdfSigner.Sign(signed.Bytes, new PdfSignOptions { FieldName = "Signature2", FieldBody = fieldBody, ExtraWrites = writes }).Bytes;
    }

    private static byte[] TaggedAnnotation(SignedForm signed)
    {
        var pdf = signed.Bytes;
        var page = PdfObjectReader.FirstPage(pdf);
        var annotation = IncrementalUpdate.NextObjectNumber(pdf);
        var (writes, key) = Tagging.Tag(pdf, signed.Form, annotation, annotation + 1, "Annot");
        var pageBody = PdfObjectReader.ReadObject(pdf, page);
        var annots = PdfObjectReader.References(pageBody, "Annots").Select(a => $"{a} 0 R").Append($"{annotation} 0 R");
        writes.Add(PdfObjectWrite.Of(annotation, $"<< /Type /Annot /Subtype /Text /Rect [300 300 320 320] /P {page} 0 R /F 4 /Contents (A tagged note) /StructParent {key} >>"));
        writes.Add(PdfObjectWrite.Of(page, PdfSigner.SetEntry(pageBody, "Annots", $"[{string.Join(" ", annots)}]")));
        return IncrementalUpdate.Append(pdf, writes);
    }

    private static byte[] RewriteUnused(byte[] pdf)
    {
        var orphan = IncrementalUpdate.NextObjectNumber(pdf);
        var first = IncrementalUpdate.Append(pdf, PdfObjectWrite.Of(orphan, "<< /Note (nothing uses this) >>"));
        return IncrementalUpdate.Append(first, PdfObjectWrite.Of(orphan, "<< /Note (still nothing uses this) >>"));
    }

    private static byte[] MoveCatalog(byte[] pdf)
    {
        var number = IncrementalUpdate.NextObjectNumber(pdf);
        var body = PdfObjectReader.ReadObject(pdf, PdfObjectReader.RootObject(pdf));
        return IncrementalUpdate.Append(pdf, new UpdateOptions { Objects = [PdfObjectWrite.Of(number, body)], Root = $"{number} 0 R" });
    }
}
