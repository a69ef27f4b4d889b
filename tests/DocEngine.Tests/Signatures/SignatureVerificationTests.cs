using System.Security.Cryptography;
using System.Security.Cryptography.Pkcs;
using System.Text;
using DocEngine.Core.Signatures;
using DocEngine.Tests.Infrastructure.SignedPdfs;

namespace DocEngine.Tests.Signatures;

/// <summary>
/// The verifier against PDFs signed in the test with a test CA (PdfSigner over a hand-written form, and PDFsharp's own
/// DigitalSignatureHandler), then tampered the ways the 2019–2021 attacks do: every verdict is asserted.
/// </summary>
public sealed class SignatureVerificationTests
{
    private static readonly TrustAnchors Anchors = new([TestPki.Shared.Root]);

    internal static Task<SignatureReport> VerifyAsync(byte[] pdf, TrustAnchors? anchors = null, string? password = null, SignatureOptions? options = null) =>
        new SignatureVerifier(options ?? new SignatureOptions(), anchors ?? Anchors).VerifyPdfAsync(pdf, password, null, CancellationToken.None);

    private static byte[] Signed(PdfSignOptions? options = null, FormPdfOptions? form = null) => PdfSigner.Sign(FormPdf.Create(form).Bytes, options).Bytes;

    private static byte[] Certified(int permissions, IReadOnlyList<string>? locks = null) =>
        Signed(new PdfSignOptions { DocMdp = true, DocMdpPermissions = permissions, FieldMdpInclude = locks });

    public static TheoryData<string> Variants => new() { "rsa", "ecdsa", "rsa-pss", "no-signed-attributes", "subject-key-identifier", "sha-512", "cades", "ed25519", "ed448", "ed25519-no-signed-attributes" };

    [Theory]
    [MemberData(nameof(Variants))]
    public async Task A_signature_from_a_trusted_signer_is_valid_whatever_the_algorithm(string variant)
    {
        var cms = variant switch
        {
            "ecdsa" => new CmsOptions { Signer = TestPki.Shared.EcdsaSigner },
            "rsa-pss" => new CmsOptions { RsaPss = true },
            "no-signed-attributes" => new CmsOptions { SignedAttributes = false },
            "subject-key-identifier" => new CmsOptions { SignerIdentifier = SubjectIdentifierType.SubjectKeyIdentifier },
            "sha-512" => new CmsOptions { Digest = HashAlgorithmName.SHA512 },
            "ed25519" => new CmsOptions { Signer = TestPki.Shared.Ed25519Signer },
            "ed448" => new CmsOptions { Signer = TestPki.Shared.Ed448Signer },
            "ed25519-no-signed-attributes" => new CmsOptions { Signer = TestPki.Shared.Ed25519Signer, SignedAttributes = false },
            _ => new CmsOptions(),
        };
        var kind = variant == "cades" ? PdfSignatureKind.EtsiCadesDetached : PdfSignatureKind.AdbePkcs7Detached;

        var report = await VerifyAsync(Signed(new PdfSignOptions { Cms = cms, Kind = kind }));

        Assert.Equal(SignatureVerdict.Valid, report.Verdict);
        var signature = Assert.Single(report.Signatures);
        Assert.Equal(("Signature1", SignatureIntegrity.Intact, SignatureCoverage.EntireFile, ModificationLevel.None, SignerTrust.Trusted),
            (signature.FieldName, signature.Integrity, signature.Coverage, signature.ModificationLevel, signature.Trust));
        Assert.Contains(variant switch { "ecdsa" => "CN=Test Signer ECDSA", "ed448" => "CN=Test Signer Ed448", ['e', 'd', '2', ..] => "CN=Test Signer Ed25519", _ => "CN=Test Signer RSA" }, signature.Signer!.Subject);
        Assert.Equal(variant switch { "sha-512" or ['e', 'd', '2', ..] => "SHA-512", "ed448" => "SHAKE256", _ => "SHA-256" }, signature.DigestAlgorithm);
        Assert.StartsWith(variant switch { "ecdsa" => "ECDSA", "rsa-pss" => "RSA-PSS", "ed448" => "Ed448", ['e', 'd', '2', ..] => "Ed25519", _ => "RSA PKCS#1" }, signature.SignatureAlgorithm);
        Assert.Equal(kind == PdfSignatureKind.EtsiCadesDetached ? "ETSI.CAdES.detached" : "adbe.pkcs7.detached", signature.SubFilter);
        Assert.Equal(2, signature.Chain.Count); // signer, then the root
        Assert.Empty(signature.Problems);
        Assert.Equal(["Signature2"], report.UnsignedSignatureFields);
    }

    [SkippableTheory]
    [InlineData("aes256")]
    [InlineData("aes128")]
    [InlineData("rc4")]
    public async Task An_encrypted_signed_pdf_is_verified_with_its_password_and_refused_without_it(string method)
    {
        SignedPdfTools.Require("qpdf");
        var encrypted = EncryptedSignedPdf.Create("applicant", method);

        var withUser = await VerifyAsync(encrypted, password: "applicant");
        var withOwner = await VerifyAsync(encrypted, password: EncryptedSignedPdf.OwnerPassword);
        var missing = await Assert.ThrowsAsync<DocEngineException>(() => VerifyAsync(encrypted));
        var wrong = await Assert.ThrowsAsync<DocEngineException>(() => VerifyAsync(encrypted, password: "guess"));

        Assert.Equal(SignatureVerdict.Valid, withUser.Verdict);
        Assert.Equal("Signature1", withUser.Signatures[0].FieldName); // the field name is an encrypted string: decrypted
        Assert.Equal(["Signature2"], withUser.UnsignedSignatureFields);
        Assert.Equal(SignatureVerdict.Valid, withOwner.Verdict);
        Assert.Equal((ErrorKind.FailedPrecondition, "PASSWORD_REQUIRED"), (missing.Kind, missing.Reason));
        Assert.Equal((ErrorKind.InvalidArgument, "WRONG_PASSWORD"), (wrong.Kind, wrong.Reason));
    }

    [Fact]
    public async Task A_pdf_signed_by_pdfsharps_own_signature_handler_is_valid()
    {
        var report = await VerifyAsync(PdfSharpSigning.CreateSigned());

        Assert.Equal(SignatureVerdict.Valid, report.Verdict);
        var signature = Assert.Single(report.Signatures);
        Assert.Equal((SignatureIntegrity.Intact, SignatureCoverage.EntireFile), (signature.Integrity, signature.Coverage));
    }

    [Fact]
    public async Task One_flipped_byte_breaks_the_signature()
    {
        var report = await VerifyAsync(Tamper.FlipByteInText(Signed()));

        Assert.Equal(SignatureVerdict.Invalid, report.Verdict);
        Assert.Equal(SignatureIntegrity.Broken, report.Signatures[0].Integrity);
        Assert.Contains("changed after signing", report.Signatures[0].Problems[0]);
        Assert.Contains("not valid", report.Explanation);
    }

    [Fact]
    public async Task A_page_appended_after_signing_is_a_disallowed_modification()
    {
        var report = await VerifyAsync(Tamper.AppendPage(Signed()));

        Assert.Equal(SignatureVerdict.Modified, report.Verdict);
        var signature = report.Signatures[0];
        Assert.Equal((SignatureIntegrity.Intact, SignatureCoverage.EntireRevision, ModificationLevel.Other),
            (signature.Integrity, signature.Coverage, signature.ModificationLevel));
        Assert.Contains(signature.Changes, c => c.Contains("page tree", StringComparison.Ordinal));
        Assert.Contains("changed after it was signed", report.Explanation);
    }

    [Fact]
    public async Task An_annotation_added_after_an_approval_signature_is_allowed_but_not_after_a_p2_certification()
    {
        var approval = await VerifyAsync(Tamper.AddAnnotation(Signed()));
        var certified = await VerifyAsync(Tamper.AddAnnotation(Certified(2)));

        Assert.Equal(SignatureVerdict.Valid, approval.Verdict);
        Assert.Equal(ModificationLevel.Annotations, approval.Signatures[0].ModificationLevel);
        Assert.Contains(approval.Signatures[0].Changes, c => c.Contains("annotation was added on page 1", StringComparison.Ordinal));
        Assert.Equal(SignatureVerdict.Modified, certified.Verdict);
        Assert.Equal((SignatureKind.Certification, 2, ModificationLevel.Annotations),
            (certified.Signatures[0].Kind, certified.Signatures[0].DocMdp, certified.Signatures[0].ModificationLevel));
    }

    [Fact]
    public async Task Filling_a_form_field_after_a_p2_certification_is_allowed_and_after_p1_is_not()
    {
        var p2 = await VerifyAsync(Tamper.FillTextField(Certified(2)));
        var p1 = await VerifyAsync(Tamper.FillTextField(Certified(1)));

        Assert.Equal(SignatureVerdict.Valid, p2.Verdict);
        Assert.Equal(ModificationLevel.FormFilling, p2.Signatures[0].ModificationLevel);
        Assert.Contains("form field \"ApplicantName\" was filled in", p2.Signatures[0].Changes);
        Assert.Equal(SignatureVerdict.Modified, p1.Verdict);
        Assert.Contains(p1.Signatures[0].Problems, p => p.Contains("DocMDP P=1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_field_locked_by_fieldmdp_cannot_be_filled_after_signing_though_docmdp_would_allow_it()
    {
        var report = await VerifyAsync(Tamper.FillTextField(Certified(2, ["ApplicantName"])));

        Assert.Equal(SignatureVerdict.Modified, report.Verdict);
        Assert.Equal(["ApplicantName"], report.Signatures[0].LockedFields);
        Assert.Contains("form field \"ApplicantName\" was changed although this signature locks it", report.Signatures[0].Changes);
    }

    [Fact]
    public async Task A_content_stream_replaced_after_signing_is_other_the_shadow_attack()
    {
        var report = await VerifyAsync(Tamper.ReplaceContentStream(Certified(3)));

        Assert.Equal(SignatureVerdict.Modified, report.Verdict);
        Assert.Equal(ModificationLevel.Other, report.Signatures[0].ModificationLevel);
        Assert.Contains(report.Signatures[0].Changes, c => c.Contains("was replaced", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Editing_the_reason_of_a_signature_after_signing_is_other()
    {
        var report = await VerifyAsync(Tamper.EditReason(Signed()));

        Assert.Equal(SignatureVerdict.Modified, report.Verdict);
        var signature = report.Signatures[0];
        Assert.Equal((SignatureIntegrity.Intact, ModificationLevel.Other), (signature.Integrity, signature.ModificationLevel));
        Assert.Equal("I approve this document", signature.Reason); // what was signed, not the later edit
        Assert.Contains(signature.Changes, c => c.Contains("/Reason", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Overwriting_an_appearance_stream_that_another_widget_also_shows_is_other_the_sneaky_update()
    {
        // Before signing, FullNameSignature is made to show ApplicantName's appearance stream too.
        var form = FormPdf.Create();
        var shared = form.Appearances["ApplicantName"];
        var fieldBody = PdfObjectReader.ReadObject(form.Bytes, form.Fields["FullNameSignature"]);
        var sharing = IncrementalUpdate.Append(form.Bytes, PdfObjectWrite.Of(form.Fields["FullNameSignature"], PdfSigner.SetEntry(fieldBody, "AP", $"<< /N {shared} 0 R >>")));
        var signed = PdfSigner.Sign(sharing, new PdfSignOptions { DocMdp = true, DocMdpPermissions = 2 }).Bytes;

        var own = await VerifyAsync(Tamper.OverwriteSharedAppearance(Certified(2)));
        var sneaky = await VerifyAsync(Tamper.OverwriteSharedAppearance(signed));

        Assert.Equal(SignatureVerdict.Valid, own.Verdict); // a field redrawing its own appearance is form filling
        Assert.Equal(SignatureVerdict.Modified, sneaky.Verdict);
        Assert.Contains(sneaky.Signatures[0].Changes, c => c.Contains("also used elsewhere", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Replacing_the_appearance_of_a_signed_signature_field_is_other()
    {
        var signed = PdfSigner.Sign(FormPdf.Create().Bytes, new PdfSignOptions { DocMdp = true, DocMdpPermissions = 2 });
        var body = PdfObjectReader.ReadObject(signed.Bytes, signed.FieldObject);
        var stream = IncrementalUpdate.NextObjectNumber(signed.Bytes);
        var replaced = IncrementalUpdate.Append(signed.Bytes,
            PdfObjectWrite.Stream(stream, "/Type /XObject /Subtype /Form /BBox [0 0 200 50]", "BT /Helv 12 Tf 5 20 Td (Approved by the director) Tj ET"),
            PdfObjectWrite.Of(signed.FieldObject, PdfSigner.SetEntry(body, "AP", $"<< /N {stream} 0 R >>")));

        var report = await VerifyAsync(replaced);

        Assert.Equal(SignatureVerdict.Modified, report.Verdict);
        Assert.Contains("the appearance of the already signed field \"Signature1\" was replaced", report.Signatures[0].Changes);
    }

    [Fact]
    public async Task Two_signatures_are_reported_oldest_first_and_the_second_signing_is_form_filling_for_the_first()
    {
        var first = Signed();
        var twice = PdfSigner.Sign(first, new PdfSignOptions { FieldName = "Signature2", Cms = new CmsOptions { Signer = TestPki.Shared.EcdsaSigner } }).Bytes;

        var report = await VerifyAsync(twice);

        Assert.Equal(SignatureVerdict.Valid, report.Verdict);
        Assert.Equal(["Signature1", "Signature2"], report.Signatures.Select(s => s.FieldName));
        Assert.Equal((SignatureCoverage.EntireRevision, 2, ModificationLevel.FormFilling), (report.Signatures[0].Coverage, report.Signatures[0].Revision, report.Signatures[0].ModificationLevel));
        Assert.Equal((SignatureCoverage.EntireFile, 3, ModificationLevel.None), (report.Signatures[1].Coverage, report.Signatures[1].Revision, report.Signatures[1].ModificationLevel));
        Assert.Contains("signature field \"Signature2\" was signed", report.Signatures[0].Changes);
        Assert.Empty(report.UnsignedSignatureFields);
    }

    [Fact]
    public async Task An_identical_rewrite_of_an_object_after_signing_changes_nothing()
    {
        var report = await VerifyAsync(Tamper.ResaveUnchanged(Signed()));

        Assert.Equal(SignatureVerdict.Valid, report.Verdict);
        Assert.Equal((SignatureCoverage.EntireRevision, ModificationLevel.None), (report.Signatures[0].Coverage, report.Signatures[0].ModificationLevel));
    }

    [Fact]
    public async Task A_signer_outside_the_trust_anchors_is_valid_but_untrusted_and_no_anchor_trusts_nobody()
    {
        var stranger = await VerifyAsync(Signed(new PdfSignOptions { Cms = new CmsOptions { Signer = TestPki.Shared.Stranger } }));
        var noAnchors = await VerifyAsync(Signed(), TrustAnchors.None);

        Assert.Equal(SignatureVerdict.ValidUntrusted, stranger.Verdict);
        Assert.Equal(SignerTrust.Untrusted, stranger.Signatures[0].Trust);
        Assert.Contains(stranger.Signatures[0].Problems, p => p.Contains("does not chain to any configured trust anchor", StringComparison.Ordinal));
        Assert.Equal(SignatureVerdict.ValidUntrusted, noAnchors.Verdict);
        Assert.Contains(noAnchors.Signatures[0].Problems, p => p.StartsWith("No trust anchors are configured", StringComparison.Ordinal));
        Assert.Contains("cannot be confirmed", noAnchors.Explanation);
    }

    [Fact]
    public async Task An_anchor_is_a_name_and_a_key_so_another_copy_of_the_root_anchors_the_chain()
    {
        var copy = TestPki.Shared.RootCopyWithSameKey(DateTimeOffset.UtcNow.AddYears(-5), DateTimeOffset.UtcNow.AddYears(-4));

        var report = await VerifyAsync(Signed(), new TrustAnchors([copy]));

        Assert.NotEqual(copy.SerialNumber, TestPki.Shared.Root.SerialNumber);
        Assert.Equal(SignatureVerdict.Valid, report.Verdict);
    }

    [Fact]
    public async Task A_signer_certificate_expired_at_signing_time_is_untrusted_with_the_dates()
    {
        var report = await VerifyAsync(Signed(new PdfSignOptions { Cms = new CmsOptions { Signer = TestPki.Shared.ExpiredRsaSigner } }));

        Assert.Equal(SignatureVerdict.ValidUntrusted, report.Verdict);
        Assert.Contains(report.Signatures[0].Problems, p => p.Contains("was not valid on", StringComparison.Ordinal));
        Assert.True(report.Signatures[0].TrustTimeIsClaimed);
    }

    [Fact]
    public async Task A_timestamped_signature_reports_the_verified_time_and_checks_trust_at_it()
    {
        var report = await VerifyAsync(Signed(new PdfSignOptions { Kind = PdfSignatureKind.EtsiCadesDetached, Cms = new CmsOptions { Timestamp = true } }));

        Assert.Equal(SignatureVerdict.Valid, report.Verdict);
        var stamp = report.Signatures[0].Timestamp!;
        Assert.True(stamp.Verified);
        Assert.Contains("CN=Test TSA", stamp.Authority!.Subject);
        Assert.InRange(stamp.Time, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal((false, stamp.Time), (report.Signatures[0].TrustTimeIsClaimed, report.Signatures[0].TrustCheckedAt!.Value));
    }

    [Fact]
    public async Task A_document_timestamp_is_reported_as_such()
    {
        var report = await VerifyAsync(PdfSigner.Sign(Signed(), new PdfSignOptions { FieldName = "Signature2", Kind = PdfSignatureKind.DocTimeStamp }).Bytes);

        Assert.Equal(SignatureVerdict.Valid, report.Verdict);
        Assert.Equal(ModificationLevel.Archival, report.Signatures[0].ModificationLevel);
        var stamp = report.Signatures[1];
        Assert.Equal((SignatureKind.DocumentTimestamp, "ETSI.RFC3161", SignatureIntegrity.Intact), (stamp.Kind, stamp.SubFilter, stamp.Integrity));
        Assert.Contains("CN=Test TSA", stamp.Signer!.Subject);
        Assert.Contains("document time-stamp", report.Explanation);
    }

    [Fact]
    public async Task A_document_timestamp_added_after_a_p1_certification_is_archival_and_allowed()
    {
        var report = await VerifyAsync(PdfSigner.Sign(Certified(1), new PdfSignOptions { FieldName = "Signature2", Kind = PdfSignatureKind.DocTimeStamp }).Bytes);

        Assert.Equal(SignatureVerdict.Valid, report.Verdict);
        Assert.Equal((1, ModificationLevel.Archival), (report.Signatures[0].DocMdp, report.Signatures[0].ModificationLevel));
    }

    [Fact]
    public async Task A_signature_without_the_signers_certificate_is_an_unknown_signer_and_not_valid()
    {
        var report = await VerifyAsync(Signed(new PdfSignOptions { Cms = new CmsOptions { IncludeCertificates = false } }), TrustAnchors.None);

        Assert.Equal(SignatureVerdict.Invalid, report.Verdict);
        Assert.Equal(SignerTrust.UnknownSigner, report.Signatures[0].Trust);
        Assert.Contains(report.Signatures[0].Problems, p => p.Contains("does not include the signer's certificate", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_detached_subfilter_whose_cms_carries_content_is_invalid()
    {
        var report = await VerifyAsync(Signed(new PdfSignOptions { Cms = new CmsOptions { Attached = true } }));

        Assert.Equal(SignatureVerdict.Invalid, report.Verdict);
        Assert.Equal(SignatureIntegrity.Malformed, report.Signatures[0].Integrity);
    }

    [Fact]
    public async Task A_new_sha1_signature_is_refused_with_a_sentence()
    {
        var report = await VerifyAsync(Signed(new PdfSignOptions { Cms = new CmsOptions { Digest = HashAlgorithmName.SHA1 } }));

        Assert.Equal(SignatureVerdict.Invalid, report.Verdict);
        Assert.Equal(SignatureIntegrity.Unsupported, report.Signatures[0].Integrity);
        Assert.Contains(report.Signatures[0].Problems, p => p.Contains("SHA-1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_byte_range_that_leaves_bytes_unsigned_is_nonstandard_coverage()
    {
        var signed = PdfSigner.Sign(FormPdf.Create().Bytes);
        var text = Encoding.Latin1.GetString(signed.Bytes);
        var at = text.IndexOf("/ByteRange", StringComparison.Ordinal);
        var end = text.IndexOf(']', at);
        var shorter = $"/ByteRange [0 {signed.ByteRange[1]} {signed.ByteRange[2]} {signed.ByteRange[3] - 10}";
        var patched = text[..at] + shorter.PadRight(end - at) + text[end..];

        var report = await VerifyAsync(Encoding.Latin1.GetBytes(patched));

        Assert.Equal(SignatureVerdict.Invalid, report.Verdict);
        Assert.Equal(SignatureCoverage.Nonstandard, report.Signatures[0].Coverage);
    }

    [Fact]
    public async Task Bytes_appended_after_the_last_revision_are_a_modification()
    {
        var report = await VerifyAsync([.. Signed(), .. "\n<< /Injected true >>\n"u8.ToArray()]);

        Assert.Equal(SignatureVerdict.Modified, report.Verdict);
        Assert.Contains(report.Signatures[0].Changes, c => c.Contains("belong to no revision", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_form_with_a_typed_name_and_empty_signature_fields_is_not_signed_and_says_so_plainly()
    {
        var report = await VerifyAsync(FormPdf.Create(new FormPdfOptions { FullNameSignatureValue = "Jane Q. Applicant" }).Bytes);

        Assert.Equal(SignatureVerdict.NotSigned, report.Verdict);
        Assert.Empty(report.Signatures);
        Assert.Equal(["Signature1", "Signature2"], report.UnsignedSignatureFields);
        var mark = Assert.Single(report.OtherMarks);
        Assert.Equal((MarkKind.TypedName, "FullNameSignature", "Jane Q. Applicant", 1), (mark.Kind, mark.FieldName, mark.Text, mark.Page));
        Assert.Contains("typed name \"Jane Q. Applicant\"", report.Explanation);
        Assert.Contains("does not prove who signed", report.Explanation);
    }

    [Fact]
    public async Task A_corrupted_signature_value_is_reported_not_thrown()
    {
        var signed = PdfSigner.Sign(FormPdf.Create().Bytes);
        var bytes = signed.Bytes.ToArray();
        bytes[signed.ByteRange[1] + 3] = (byte)'F'; // inside the CMS header: the DER no longer parses
        bytes[signed.ByteRange[1] + 4] = (byte)'F';

        var report = await VerifyAsync(bytes);

        Assert.Equal(SignatureVerdict.Invalid, report.Verdict);
        Assert.Contains(report.Signatures[0].Integrity, new[] { SignatureIntegrity.Malformed, SignatureIntegrity.Broken });
        Assert.NotEmpty(report.Signatures[0].Problems);
    }

    [Theory]
    [InlineData("not a pdf at all", "NOT_A_PDF")]
    [InlineData("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n", "PDF_STRUCTURE_UNREADABLE")]
    [InlineData("%PDF-1.7\nxref\n0 1\n0000000000 65535 f \ntrailer << /Size 1 /Prev 9 >>\nstartxref\n9\n%%EOF\n", "PDF_STRUCTURE_UNREADABLE")]
    public async Task Unreadable_input_is_refused_with_a_sentence(string content, string reason)
    {
        var refusal = await Assert.ThrowsAsync<DocEngineException>(() => VerifyAsync(Encoding.ASCII.GetBytes(content)));

        Assert.Equal((ErrorKind.InvalidArgument, reason), (refusal.Kind, refusal.Reason));
        Assert.EndsWith(".", refusal.Message);
    }

    [Fact]
    public async Task A_check_over_its_time_limit_is_refused_as_resource_exhausted()
    {
        // A clock whose timers fire at once: the limit is over before the check can finish, however fast it is.
        var verifier = new SignatureVerifier(new SignatureOptions(), Anchors, new ExpiredClock());

        var refusal = await Assert.ThrowsAsync<DocEngineException>(() => verifier.VerifyPdfAsync(Signed(), null, null, CancellationToken.None));

        Assert.Equal((ErrorKind.ResourceExhausted, "SIGNATURE_CHECK_TIMEOUT"), (refusal.Kind, refusal.Reason));
        Assert.Contains("10 seconds", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Three_hundred_incremental_updates_after_a_signature_are_all_compared_within_the_default_limit()
    {
        var many = Signed();
        for (var i = 0; i < 300; i++)
        {
            many = Tamper.ResaveUnchanged(many);
        }

        var report = await VerifyAsync(many);

        Assert.Equal((SignatureVerdict.Valid, 302, ModificationLevel.None), (report.Verdict, report.Revisions, report.Signatures[0].ModificationLevel));
    }

    private sealed class ExpiredClock : TimeProvider
    {
        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            callback(state);
            return new Fired();
        }

        private sealed class Fired : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => false;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }

    [Fact]
    public async Task A_detached_p7s_verifies_against_its_file_and_fails_against_another()
    {
        var content = Encoding.UTF8.GetBytes("The applicant's statement, signed as a separate file.");
        var p7s = CmsSignatureMaker.Sign(content);
        var verifier = new SignatureVerifier(new SignatureOptions(), Anchors);

        var good = await verifier.VerifyDetachedAsync(p7s, content, null, CancellationToken.None);
        var bad = await verifier.VerifyDetachedAsync(p7s, content.Append((byte)'!').ToArray(), null, CancellationToken.None);

        Assert.Equal(SignatureVerdict.Valid, good.Verdict);
        Assert.Equal((SignatureKind.DetachedCms, SignatureCoverage.EntireFile), (good.Signatures[0].Kind, good.Signatures[0].Coverage));
        Assert.Equal(SignatureVerdict.Invalid, bad.Verdict);
    }
}
