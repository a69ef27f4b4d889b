using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using DocEngine.Core.Signatures;
using DocEngine.Tests.Infrastructure.SignedPdfs;

namespace DocEngine.Tests.Signatures;

/// <summary>
/// Revocation data carried in the document — OCSP responses and CRLs in the DSS (with the signature's VRI entry) and in
/// the signed adbe-revocationInfoArchival attribute — judged offline against the signing time or the time-stamp; and,
/// only when a caller opts in, fetched from a real local HTTP responder. The responses are made with BouncyCastle's
/// OCSP and CRL generators (<see cref="TestRevocation"/>).
/// </summary>
public sealed class RevocationTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private static X509Certificate2 NewSigner(string name) => TestPki.Shared.Issue($"CN={name}, O=DocEngine Tests", TestKeyKind.Rsa, Now.AddDays(-10), Now.AddYears(1));

    internal static SignedPdf Sign(X509Certificate2 signer, CmsOptions? cms = null, string? signingTime = null) =>
        PdfSigner.Sign(FormPdf.Create().Bytes, new PdfSignOptions
        {
            Cms = (cms ?? new CmsOptions()) with { Signer = signer },
            SigningTime = signingTime ?? Now.ToString("'D:'yyyyMMddHHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture),
        });

    private static byte[] WithDss(SignedPdf signed, byte[]? ocsp = null, byte[]? crl = null) =>
        DssUpdate.Append(signed.Bytes, new DssContent
        {
            Certificates = [TestPki.Shared.Root.RawData],
            Ocsps = ocsp is null ? [] : [ocsp],
            Crls = crl is null ? [] : [crl],
            VriFor = signed.Contents,
        });

    [Fact]
    public async Task A_signer_revoked_before_signing_with_ocsp_in_the_dss_is_invalid_with_the_reason_in_words()
    {
        var signer = NewSigner("Revoked Signer");
        var signed = Sign(signer);
        var ocsp = TestRevocation.Ocsp(signer, new OcspOptions { Answer = OcspAnswerKind.Revoked, RevokedAt = Now.AddDays(-2), Reason = 1 });

        var report = await SignatureVerificationTests.VerifyAsync(WithDss(signed, ocsp));

        var signature = report.Signatures[0];
        Assert.Equal((SignatureVerdict.Invalid, RevocationStatus.Revoked), (report.Verdict, signature.RevocationStatus));
        Assert.Contains("its private key was compromised", signature.Problems[0], StringComparison.Ordinal);
        Assert.Contains("before it signed", signature.Problems[0], StringComparison.Ordinal);
        Assert.Contains("Revoked Signer", report.Explanation, StringComparison.Ordinal);
        Assert.Contains(signature.Revocation, r => r.Source.StartsWith("DSS", StringComparison.Ordinal) && r.OcspResponses == 1);
    }

    [Fact]
    public async Task A_good_ocsp_response_in_the_dss_keeps_the_signature_valid_and_says_so()
    {
        var signer = NewSigner("Good Signer");
        var signed = Sign(signer);

        var report = await SignatureVerificationTests.VerifyAsync(WithDss(signed, TestRevocation.Ocsp(signer, new OcspOptions { ThisUpdate = Now.AddMinutes(5) })));

        Assert.Equal((SignatureVerdict.Valid, RevocationStatus.Good), (report.Verdict, report.Signatures[0].RevocationStatus));
        Assert.StartsWith("Revocation data confirms", report.Signatures[0].RevocationDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_good_response_from_a_delegated_responder_in_the_signed_archival_attribute_counts()
    {
        var signer = NewSigner("Archived Signer");
        var ocsp = TestRevocation.Ocsp(signer, new OcspOptions { Delegated = true, ThisUpdate = Now.AddMinutes(-2), NextUpdate = Now.AddDays(1) });

        var report = await SignatureVerificationTests.VerifyAsync(Sign(signer, new CmsOptions { ArchivedOcsp = [ocsp] }).Bytes);

        Assert.Equal((SignatureVerdict.Valid, RevocationStatus.Good), (report.Verdict, report.Signatures[0].RevocationStatus));
        Assert.Contains(report.Signatures[0].Revocation, r => r.Source == "adbe-revocationInfoArchival" && r.OcspResponses == 1);
    }

    [Theory]
    [InlineData(4, "it was replaced by another certificate")]
    [InlineData(6, "it was suspended (on hold)")]
    public async Task A_crl_in_the_dss_that_lists_the_signer_before_it_signed_makes_it_invalid(int reason, string words)
    {
        var signer = NewSigner("Listed Signer");
        var signed = Sign(signer);
        var crl = TestRevocation.Crl([(signer, Now.AddDays(-1), reason)]);

        var report = await SignatureVerificationTests.VerifyAsync(WithDss(signed, crl: crl));

        Assert.Equal((SignatureVerdict.Invalid, RevocationStatus.Revoked), (report.Verdict, report.Signatures[0].RevocationStatus));
        Assert.Contains(words, report.Signatures[0].RevocationDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_crl_that_does_not_list_the_signer_is_proof_it_was_not_revoked()
    {
        var signer = NewSigner("Unlisted Signer");
        var signed = Sign(signer);

        var report = await SignatureVerificationTests.VerifyAsync(WithDss(signed, crl: TestRevocation.Crl([(TestPki.Shared.EcdsaSigner, Now.AddDays(-1), 1)])));

        Assert.Equal((SignatureVerdict.Valid, RevocationStatus.Good), (report.Verdict, report.Signatures[0].RevocationStatus));
    }

    [Fact]
    public async Task A_revocation_after_a_time_stamped_signature_leaves_it_valid()
    {
        var signer = NewSigner("Later Revoked");
        var signed = Sign(signer, new CmsOptions { Timestamp = true });
        var ocsp = TestRevocation.Ocsp(signer, new OcspOptions { Answer = OcspAnswerKind.Revoked, RevokedAt = Now.AddHours(1), ThisUpdate = Now.AddHours(2), Reason = 1 });

        var report = await SignatureVerificationTests.VerifyAsync(WithDss(signed, ocsp));

        Assert.Equal((SignatureVerdict.Valid, RevocationStatus.Good), (report.Verdict, report.Signatures[0].RevocationStatus));
    }

    [Theory]
    [InlineData(1, SignatureVerdict.Invalid)]
    [InlineData(4, SignatureVerdict.Valid)]
    public async Task A_revocation_after_an_unproven_signing_time_voids_the_signature_only_for_a_compromised_key(int reason, SignatureVerdict verdict)
    {
        var signer = NewSigner("Claimed Time");
        var signed = Sign(signer); // no time-stamp: the signing time is the signer's word
        var ocsp = TestRevocation.Ocsp(signer, new OcspOptions { Answer = OcspAnswerKind.Revoked, RevokedAt = Now.AddHours(1), ThisUpdate = Now.AddHours(2), Reason = reason });

        var report = await SignatureVerificationTests.VerifyAsync(WithDss(signed, ocsp));

        Assert.Equal(verdict, report.Verdict);
        if (verdict == SignatureVerdict.Invalid)
        {
            Assert.Contains("nothing proves this signature was made before that", report.Signatures[0].RevocationDetail, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_signature_that_claims_no_signing_time_is_checked_at_the_time_of_the_check_and_says_so_not_that_the_signer_claimed_it()
    {
        var content = "A statement signed without a signing time."u8.ToArray();
        var kept = NewSigner("Timeless Signer");
        var revoked = NewSigner("Timeless Revoked Signer");
        var crl = TestRevocation.Crl([(revoked, Now.AddDays(-1), 1)], thisUpdate: Now.AddMinutes(-1));
        var verifier = new SignatureVerifier(new SignatureOptions(), new TrustAnchors([TestPki.Shared.Root]));

        var good = (await verifier.VerifyDetachedAsync(CmsSignatureMaker.Sign(content, new CmsOptions { Signer = kept, ArchivedCrls = [crl] }), content, null, CancellationToken.None)).Signatures[0];
        var bad = (await verifier.VerifyDetachedAsync(CmsSignatureMaker.Sign(content, new CmsOptions { Signer = revoked, ArchivedCrls = [crl] }), content, null, CancellationToken.None)).Signatures[0];

        Assert.Null(good.SigningTime);
        Assert.Equal(RevocationStatus.Good, good.RevocationStatus);
        Assert.Contains("UTC (the time of this check: the signature claims no signing time)", good.RevocationDetail, StringComparison.Ordinal);
        Assert.Equal(RevocationStatus.Revoked, bad.RevocationStatus);
        // Revoked yesterday, "before it signed" cannot be said of a signature that gives no time: nothing proves when it was made.
        Assert.Contains("nothing proves this signature was made before that", bad.RevocationDetail, StringComparison.Ordinal);
        Assert.All([good.RevocationDetail, bad.RevocationDetail], detail => Assert.DoesNotContain("the signer claims", detail, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_forged_revocation_response_is_ignored_and_the_status_is_unknown()
    {
        var signer = NewSigner("Forgery Target");
        var signed = Sign(signer);
        var forged = TestRevocation.Ocsp(signer, new OcspOptions { Answer = OcspAnswerKind.Revoked, Forged = true });

        var report = await SignatureVerificationTests.VerifyAsync(WithDss(signed, forged));

        Assert.Equal((SignatureVerdict.Valid, RevocationStatus.Unknown), (report.Verdict, report.Signatures[0].RevocationStatus));
        Assert.Contains("did not authorise", report.Signatures[0].RevocationDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_response_from_long_before_the_signature_proves_nothing()
    {
        var signer = NewSigner("Stale Data");
        var signed = Sign(signer);
        var stale = TestRevocation.Ocsp(signer, new OcspOptions { ThisUpdate = Now.AddDays(-9), NextUpdate = Now.AddDays(-8) });

        var report = await SignatureVerificationTests.VerifyAsync(WithDss(signed, stale));

        Assert.Equal(RevocationStatus.Unknown, report.Signatures[0].RevocationStatus);
        Assert.Contains("too long before the signing time", report.Signatures[0].RevocationDetail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_trusted_chain_without_revocation_data_is_valid_and_reported_as_unknown()
    {
        var report = await SignatureVerificationTests.VerifyAsync(Sign(NewSigner("No Data")).Bytes);

        var signature = report.Signatures[0];
        Assert.Equal((SignatureVerdict.Valid, SignerTrust.Trusted, RevocationStatus.Unknown), (report.Verdict, signature.Trust, signature.RevocationStatus));
        Assert.Contains("carries no revocation data", signature.RevocationDetail, StringComparison.Ordinal);
        Assert.Contains("revoked", report.Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_opting_in_nothing_is_fetched_even_when_the_certificate_names_a_responder()
    {
        using var responder = new LocalResponder(_ => (200, TestRevocation.Ocsp(TestPki.Shared.RsaSigner)));
        var signer = TestPki.Shared.IssueWithRevocationUrls("CN=Online Signer, O=DocEngine Tests", responder.Url + "ocsp", null);

        var report = await SignatureVerificationTests.VerifyAsync(Sign(signer).Bytes);

        Assert.Equal(RevocationStatus.Unknown, report.Signatures[0].RevocationStatus);
        Assert.Equal(0, responder.Requests);
    }

    [Fact]
    public async Task Opting_in_fetches_from_the_ocsp_responder_and_falls_back_to_the_crl_distribution_point()
    {
        X509Certificate2? signer = null;
        using var responder = new LocalResponder(path => path.EndsWith("ocsp", StringComparison.Ordinal)
            ? (500, [])
            : (200, TestRevocation.Crl([(signer!, Now.AddDays(-1), 1)])));
        signer = TestPki.Shared.IssueWithRevocationUrls("CN=Fetched Signer, O=DocEngine Tests", responder.Url + "ocsp", responder.Url + "root.crl");
        var options = new SignatureOptions { Revocation = new RevocationOptions { Fetch = true, Timeout = TimeSpan.FromSeconds(2) } };

        var report = await SignatureVerificationTests.VerifyAsync(Sign(signer).Bytes, options: options);

        Assert.Equal((SignatureVerdict.Invalid, RevocationStatus.Revoked), (report.Verdict, report.Signatures[0].RevocationStatus));
        Assert.Contains("a CRL fetched from 127.0.0.1", report.Signatures[0].RevocationDetail, StringComparison.Ordinal);
        Assert.Equal(2, responder.Requests);
    }

    [Fact]
    public async Task A_responder_that_never_answers_is_given_up_on_within_the_timeout()
    {
        using var responder = new LocalResponder(_ =>
        {
            Thread.Sleep(5000);
            return (200, []);
        });
        var signer = TestPki.Shared.IssueWithRevocationUrls("CN=Slow Responder, O=DocEngine Tests", responder.Url + "ocsp", null);
        var options = new SignatureOptions { Revocation = new RevocationOptions { Fetch = true, Timeout = TimeSpan.FromMilliseconds(500) } };

        var report = await SignatureVerificationTests.VerifyAsync(Sign(signer).Bytes, options: options);

        Assert.Equal((SignatureVerdict.Valid, RevocationStatus.Unknown), (report.Verdict, report.Signatures[0].RevocationStatus));
        Assert.Contains("could not be fetched from 127.0.0.1 within 0.5 s", report.Signatures[0].RevocationDetail, StringComparison.Ordinal);
    }

    /// <summary>A real HTTP server on a free loopback port, answering each request with what <c>answer</c> gives for its path.</summary>
    internal sealed class LocalResponder : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Func<string, (int Status, byte[] Body)> _answer;
        private int _requests;

        public LocalResponder(Func<string, (int Status, byte[] Body)> answer)
        {
            _answer = answer;
            var port = FreePort();
            Url = $"http://127.0.0.1:{port}/";
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        public string Url { get; }

        public int Requests => Volatile.Read(ref _requests);

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }
                Interlocked.Increment(ref _requests);
                _ = Task.Run(() =>
                {
                    try
                    {
                        var (status, body) = _answer(context.Request.Url!.AbsolutePath);
                        context.Response.StatusCode = status;
                        context.Response.OutputStream.Write(body);
                        context.Response.Close();
                    }
                    catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException or IOException)
                    {
                        // The client gave up (the timeout test); nothing to answer.
                    }
                });
            }
        }

        private static int FreePort()
        {
            using var socket = new TcpListener(IPAddress.Loopback, 0);
            socket.Start();
            return ((IPEndPoint)socket.LocalEndpoint).Port;
        }

        public void Dispose() => _listener.Close();
    }
}
