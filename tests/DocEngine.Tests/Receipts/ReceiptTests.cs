using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DocEngine.Contract.V1;
using DocEngine.Core.Receipts;
using DocEngine.Tests.Infrastructure;
using DocEngine.Tests.Infrastructure.SignedPdfs;
using Grpc.Core;
using ReceiptService = DocEngine.Contract.V1.ReceiptService;

namespace DocEngine.Tests.Receipts;

/// <summary>Signed receipts over gRPC: a standard JWS anyone can check, chained per application, matching the stored bytes.</summary>
public sealed class ReceiptTests(DocEngineFactory factory) : IClassFixture<DocEngineFactory>
{
    private ReceiptService.ReceiptServiceClient Receipts => new(factory.Invoker());

    private async Task<(string Application, List<(byte[] Bytes, Document Document)> Uploads)> UploadThreeAsync()
    {
        var application = (await new ApplicationService.ApplicationServiceClient(factory.Invoker()).CreateApplicationAsync(new CreateApplicationRequest())).Application.Name;
        var id = application["applications/".Length..];
        var files = new[]
        {
            PdfSigner.Sign(FormPdf.Create().Bytes).Bytes,
            Processing.ProcessingServiceTests.Photo(320, 240),
            FormPdf.Create(new FormPdfOptions { FullNameSignatureValue = "Jane Doe" }).Bytes,
        };
        var uploads = new List<(byte[], Document)>();
        foreach (var (bytes, i) in files.Select((b, i) => (b, i)))
        {
            uploads.Add((bytes, await Clients.UploadStreamingAsync(factory.Invoker(), bytes, filename: $"file-{i}.{(i == 1 ? "jpg" : "pdf")}", application: id)));
        }
        return (application, uploads);
    }

    private async Task<Func<string, ECDsa?>> KeysAsync()
    {
        var response = await Receipts.GetReceiptKeysAsync(new GetReceiptKeysRequest());
        return id => response.Keys.FirstOrDefault(k => k.KeyId == id) is { } key ? FromJwk(key.JwkJson) : null;
    }

    /// <summary>A third party's view: the key rebuilt from the published JWK alone.</summary>
    private static ECDsa FromJwk(string jwk)
    {
        var json = JsonDocument.Parse(jwk).RootElement;
        return ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Jws.FromBase64Url(json.GetProperty("x").GetString()!), Y = Jws.FromBase64Url(json.GetProperty("y").GetString()!) },
        });
    }

    [Fact]
    public async Task Every_document_gets_a_signed_receipt_chained_in_arrival_order_with_its_facts()
    {
        var (application, uploads) = await UploadThreeAsync();

        var list = (await Receipts.ListReceiptsAsync(new ListReceiptsRequest { Parent = application })).Receipts;
        var result = ReceiptCheck.Verify(list.Select(r => r.Jws).ToList(), await KeysAsync(), null, null);

        Assert.True(result.Valid, string.Join("\n", result.Problems));
        Assert.Equal([1L, 2L, 3L], list.Select(r => r.Sequence));
        Assert.Equal("", list[0].PreviousReceiptSha256);
        Assert.Equal(list[0].Sha256, list[1].PreviousReceiptSha256);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(list[1].Jws))), list[2].PreviousReceiptSha256);
        Assert.Equal(uploads.Select(u => u.Document.Sha256), result.Receipts.Select(p => p.Sha256));
        Assert.Equal(uploads.Select(u => u.Document.Name), result.Receipts.Select(p => p.Document));
        Assert.Equal(("VERDICT_VALID_UNTRUSTED", 1), (result.Receipts[0].Processing.SignatureVerdict, result.Receipts[0].Pages));
        Assert.Equal(("VERDICT_NOT_SIGNED", null), (result.Receipts[2].Processing.SignatureVerdict, result.Receipts[1].Processing.SignatureVerdict));
        Assert.Equal(uploads[1].Document.CreateTime.ToDateTimeOffset(), result.Receipts[1].ReceivedAt);
        var again = (await Receipts.GetReceiptAsync(new GetReceiptRequest { Name = uploads[1].Document.Name })).Receipt;
        Assert.Equal(list[1].Jws, again.Jws); // issued once, served the same
    }

    [Fact]
    public async Task A_changed_byte_in_the_receipt_or_in_the_document_fails_with_a_sentence()
    {
        var (_, uploads) = await UploadThreeAsync();
        var receipt = (await Receipts.GetReceiptAsync(new GetReceiptRequest { Name = uploads[1].Document.Name })).Receipt.Jws;
        var keys = await KeysAsync();
        var parts = receipt.Split('.');
        var payload = Jws.FromBase64Url(parts[1]);
        payload[Array.IndexOf(payload, (byte)'"', 10) + 1] ^= 0x01; // one byte of the signed JSON
        var altered = parts[0] + "." + Jws.Base64Url(payload) + "." + parts[2];
        var document = uploads[1].Bytes.ToArray();
        document[^10] ^= 0xFF;

        var genuine = ReceiptCheck.Verify([receipt], keys, null, new MemoryStream(uploads[1].Bytes));
        var forged = ReceiptCheck.Verify([altered], keys, null, null);
        var otherFile = ReceiptCheck.Verify([receipt], keys, null, new MemoryStream(document));

        Assert.True(genuine.Valid, string.Join("\n", genuine.Problems));
        Assert.Equal("The receipt's signature does not verify: it was altered after it was issued, or it was not issued with this key.", Assert.Single(forged.Problems));
        Assert.StartsWith("The file does not match the receipt: it has ", Assert.Single(otherFile.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_receipt_removed_from_the_middle_of_the_chain_is_detected()
    {
        var (application, _) = await UploadThreeAsync();
        var list = (await Receipts.ListReceiptsAsync(new ListReceiptsRequest { Parent = application })).Receipts.Select(r => r.Jws).ToList();

        var gap = ReceiptCheck.Verify([list[0], list[2]], await KeysAsync(), null, null);
        var link = ReceiptCheck.Verify([list[2]], await KeysAsync(), list[0], null);
        var reordered = ReceiptCheck.Verify([list[1], list[0]], await KeysAsync(), null, null);

        Assert.Equal("Receipt 3 does not follow receipt 1: a receipt between them is missing, or one was reordered or replaced.", Assert.Single(gap.Problems));
        Assert.False(link.Valid);
        Assert.False(reordered.Valid);
    }

    [Fact]
    public async Task The_timeline_lists_what_happened_in_order_including_supplementary_documents_and_receipts()
    {
        var applications = new ApplicationService.ApplicationServiceClient(factory.Invoker());
        var application = (await applications.CreateApplicationAsync(new CreateApplicationRequest())).Application;
        var id = application.Name["applications/".Length..];
        var first = await Clients.UploadStreamingAsync(factory.Invoker(), Processing.ProcessingServiceTests.Photo(100, 80), filename: "passport.jpg", application: id);
        factory.Time.Advance(TimeSpan.FromMinutes(1));
        await applications.SubmitApplicationAsync(new SubmitApplicationRequest { Name = application.Name });
        factory.Time.Advance(TimeSpan.FromMinutes(1));
        var late = await Clients.UploadStreamingAsync(factory.Invoker(), Processing.ProcessingServiceTests.Photo(90, 70), filename: "bank-letter.jpg", application: id);
        factory.Time.Advance(TimeSpan.FromMinutes(1));
        await Receipts.GetReceiptAsync(new GetReceiptRequest { Name = late.Name });

        var events = (await applications.ListApplicationEventsAsync(new ListApplicationEventsRequest { Parent = application.Name })).Events;

        // Receipts are issued in the background right after each upload, so where they fall between the others varies.
        var history = events.Where(e => e.Kind != ApplicationEventKind.ReceiptIssued).ToList();
        Assert.Equal(
            [ApplicationEventKind.Created, ApplicationEventKind.UploadStarted, ApplicationEventKind.DocumentReceived, ApplicationEventKind.Submitted,
             ApplicationEventKind.UploadStarted, ApplicationEventKind.SupplementaryDocumentReceived],
            history.Select(e => e.Kind));
        Assert.Equal([first.Name + "/receipt", late.Name + "/receipt"], events.Where(e => e.Kind == ApplicationEventKind.ReceiptIssued).Select(e => e.Resource));
        Assert.Equal(events.Select(e => e.Time.ToDateTimeOffset()).Order(), events.Select(e => e.Time.ToDateTimeOffset()));
        Assert.Equal(first.Name, history[2].Resource);
        Assert.Contains("\"bank-letter.jpg\"", history[5].Description, StringComparison.Ordinal);
        Assert.Contains("after submission", history[5].Description, StringComparison.Ordinal);
        await Clients.AssertRefusedAsync(StatusCode.NotFound, "APPLICATION_NOT_FOUND",
            () => new ApplicationService.ApplicationServiceClient(factory.Invoker(DocEngineFactory.KeyB)).ListApplicationEventsAsync(new ListApplicationEventsRequest { Parent = application.Name }).ResponseAsync);
    }

    [Fact]
    public async Task Receipts_of_another_tenant_are_not_found()
    {
        var (_, uploads) = await UploadThreeAsync();

        await Clients.AssertRefusedAsync(StatusCode.NotFound, "DOCUMENT_NOT_FOUND",
            () => new ReceiptService.ReceiptServiceClient(factory.Invoker(DocEngineFactory.KeyB)).GetReceiptAsync(new GetReceiptRequest { Name = uploads[0].Document.Name }).ResponseAsync);
    }
}
