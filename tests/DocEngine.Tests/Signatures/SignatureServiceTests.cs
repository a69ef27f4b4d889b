using System.Text;
using DocEngine.Contract.V1;
using DocEngine.Tests.Infrastructure;
using DocEngine.Tests.Infrastructure.SignedPdfs;
using Google.Protobuf;
using Grpc.Core;

namespace DocEngine.Tests.Signatures;

/// <summary>SignatureService over gRPC and gRPC-Web: stored documents verified, JSON names as the contract promises, refusals with sentences.</summary>
public sealed class SignatureServiceTests(DocEngineFactory factory) : IClassFixture<DocEngineFactory>
{
    private static SignatureService.SignatureServiceClient Client(CallInvoker invoker) => new(invoker);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_stored_signed_form_is_verified_and_anchors_sent_with_the_call_make_it_trusted(bool grpcWeb)
    {
        var invoker = factory.Invoker(grpcWeb: grpcWeb);
        var signed = PdfSigner.Sign(FormPdf.Create().Bytes, new PdfSignOptions { DocMdp = true }).Bytes;
        var document = await Clients.UploadStreamingAsync(factory.Invoker(), signed, filename: "signed-form.pdf");

        var untrusted = (await Client(invoker).VerifySignaturesAsync(new VerifySignaturesRequest { Name = document.Name })).Report;
        var trusted = (await Client(invoker).VerifySignaturesAsync(new VerifySignaturesRequest { Name = document.Name, TrustAnchorsPem = { TestPki.Shared.RootPem } })).Report;

        Assert.Equal(Verdict.ValidUntrusted, untrusted.Verdict);
        Assert.Equal(0, untrusted.TrustAnchors);
        Assert.Equal(Verdict.Valid, trusted.Verdict);
        Assert.Equal(1, trusted.TrustAnchors);
        var signature = Assert.Single(trusted.Signatures);
        Assert.Equal((Integrity.Intact, Coverage.EntireFile, ModificationLevel.None, Trust.Trusted, 2, SignatureKind.Certification),
            (signature.Integrity, signature.Coverage, signature.ModificationLevel, signature.Trust, signature.DocMdp, signature.Kind));
        Assert.Equal(["Signature2"], trusted.UnsignedSignatureFields);
    }

    [Fact]
    public async Task The_report_json_uses_exactly_the_field_and_enum_names_of_the_contract()
    {
        var signed = Tamper.FillTextField(PdfSigner.Sign(FormPdf.Create().Bytes, new PdfSignOptions { DocMdp = true }).Bytes);
        var document = await Clients.UploadStreamingAsync(factory.Invoker(), signed, filename: "filled.pdf");

        var report = (await Client(factory.Invoker()).VerifySignaturesAsync(new VerifySignaturesRequest { Name = document.Name })).Report;
        var json = new JsonFormatter(JsonFormatter.Settings.Default).Format(report);

        foreach (var expected in new[]
        {
            "\"verdict\": \"VERDICT_VALID_UNTRUSTED\"", "\"signatures\": [", "\"fieldName\": \"Signature1\"", "\"subFilter\": \"adbe.pkcs7.detached\"",
            "\"signer\": {", "\"subject\":", "\"issuer\":", "\"serial\":", "\"validity\": {", "\"signingTime\":", "\"digestAlgorithm\": \"SHA-256\"",
            "\"signatureAlgorithm\":", "\"integrity\": \"INTEGRITY_INTACT\"", "\"coverage\": \"COVERAGE_ENTIRE_REVISION\"",
            "\"modificationLevel\": \"MODIFICATION_LEVEL_FORM_FILLING\"", "\"trust\": \"TRUST_UNTRUSTED\"", "\"docMdp\": 2", "\"problems\": [",
            "\"unsignedSignatureFields\": [ \"Signature2\" ]", "\"explanation\":",
        })
        {
            Assert.Contains(expected, json, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_detached_p7s_is_verified_against_the_stored_document_it_signs()
    {
        var content = Encoding.UTF8.GetBytes("%PDF-1.7 statement kept byte for byte");
        var original = await Clients.UploadStreamingAsync(factory.Invoker(), content, filename: "statement.pdf");
        var signature = await Clients.UploadStreamingAsync(factory.Invoker(), CmsSignatureMaker.Sign(content), filename: "statement.pdf.p7s");

        var report = (await Client(factory.Invoker()).VerifySignaturesAsync(new VerifySignaturesRequest
        {
            Name = signature.Name,
            SignedDocument = original.Name,
            TrustAnchorsPem = { TestPki.Shared.RootPem },
        })).Report;

        Assert.Equal(Verdict.Valid, report.Verdict);
        Assert.Equal(SignatureKind.Detached, report.Signatures[0].Kind);
    }

    [Fact]
    public async Task Bad_requests_are_refused_with_the_right_status_and_a_sentence()
    {
        var client = Client(factory.Invoker());
        var text = await Clients.UploadStreamingAsync(factory.Invoker(), "just words, not a PDF"u8.ToArray(), filename: "notes.txt");
        var signed = await Clients.UploadStreamingAsync(factory.Invoker(), PdfSigner.Sign(FormPdf.Create().Bytes).Bytes, filename: "signed.pdf");

        await Clients.AssertRefusedAsync(StatusCode.InvalidArgument, "NOT_A_PDF", () => client.VerifySignaturesAsync(new VerifySignaturesRequest { Name = text.Name }).ResponseAsync);
        await Clients.AssertRefusedAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND",
            () => Client(factory.Invoker(DocEngineFactory.KeyB)).VerifySignaturesAsync(new VerifySignaturesRequest { Name = signed.Name }).ResponseAsync);
        await Clients.AssertRefusedAsync(StatusCode.InvalidArgument, "TRUST_ANCHOR_UNREADABLE",
            () => client.VerifySignaturesAsync(new VerifySignaturesRequest { Name = signed.Name, TrustAnchorsPem = { "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----" } }).ResponseAsync);
    }
}

/// <summary>The server with the test root configured as its trust anchor (DocEngine:Signatures:TrustAnchors).</summary>
public sealed class TrustAnchorFactory() : DocEngineFactory(new Dictionary<string, string?>
{
    ["DocEngine:Signatures:TrustAnchors:0"] = RootPemPath.Value,
})
{
    private static readonly Lazy<string> RootPemPath = new(() =>
    {
        var path = Path.Combine(Path.GetTempPath(), $"docengine-test-root-{Environment.ProcessId}.pem");
        File.WriteAllText(path, TestPki.Shared.RootPem);
        return path;
    });
}

/// <summary>Anchors from configuration: a signer from the configured authority is trusted without the caller sending anything.</summary>
public sealed class ConfiguredTrustAnchorTests(TrustAnchorFactory factory) : IClassFixture<TrustAnchorFactory>
{
    [Fact]
    public async Task A_signer_chaining_to_a_configured_anchor_is_trusted()
    {
        var document = await Clients.UploadStreamingAsync(factory.Invoker(), PdfSigner.Sign(FormPdf.Create().Bytes).Bytes, filename: "signed.pdf");

        var report = (await new SignatureService.SignatureServiceClient(factory.Invoker()).VerifySignaturesAsync(new VerifySignaturesRequest { Name = document.Name })).Report;

        Assert.Equal(Verdict.Valid, report.Verdict);
        Assert.Equal(1, report.TrustAnchors);
        Assert.Contains("comes from an authority this service trusts", report.Explanation);
    }
}
