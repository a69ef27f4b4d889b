using System.Security.Cryptography.X509Certificates;
using DocEngine.Core.Signatures;
using DocEngine.Core.Workers;
using DocEngine.Tests.Infrastructure;
using DocEngine.Tests.Infrastructure.SignedPdfs;
using DocEngine.Tests.Signatures;

namespace DocEngine.Tests.Workers;

/// <summary>
/// A worker has no network, so revocation fetching (opt-in) is relayed: the worker names the request it needs, the
/// caller fetches it from a real local responder, and the check runs again. The report must be the in-process one, with
/// the same requests made.
/// </summary>
public sealed class RevocationRelayTests
{
    [Fact]
    public async Task Opting_in_through_a_real_worker_fetches_each_request_in_the_caller_and_gives_the_in_process_report()
    {
        X509Certificate2? signer = null;
        var revokedAt = DateTimeOffset.UtcNow.AddDays(-1); // once: every CRL served says the same, so the reports can be compared
        using var responder = new RevocationTests.LocalResponder(path => path.EndsWith("ocsp", StringComparison.Ordinal)
            ? (500, [])
            : (200, TestRevocation.Crl([(signer!, revokedAt, 1)])));
        signer = TestPki.Shared.IssueWithRevocationUrls("CN=Relayed Signer, O=DocEngine Tests", responder.Url + "ocsp", responder.Url + "root.crl");
        // A generous limit per round: this is about the relay, not speed, on a shared machine.
        var options = new SignatureOptions { TimeLimit = TimeSpan.FromSeconds(30), Revocation = new RevocationOptions { Fetch = true, Timeout = TimeSpan.FromSeconds(5) } };
        using var work = new TempDirectory();
        var pdf = Path.Combine(work.Path, "signed.pdf");
        await File.WriteAllBytesAsync(pdf, RevocationTests.Sign(signer).Bytes);

        var anchors = new TrustAnchors([TestPki.Shared.Root]); // the root answers for itself; the signer's revocation is what is fetched
        var inProcess = await new SignatureVerifier(options, anchors).VerifyPdfAsync(await File.ReadAllBytesAsync(pdf), null, null, CancellationToken.None);
        var requestsInProcess = responder.Requests;
        var job = VerifySignaturesJob.For(pdf, null, null, anchors, options);
        var sameJson = await WorkerPool.InProcess().VerifySignaturesAsync(job, CancellationToken.None);
        var requestsSameJson = responder.Requests - requestsInProcess;
        await using var pool = WorkerPool.Start(new WorkerOptions { Count = 1, WarmUp = false }, work.Path);
        var relayed = await pool.VerifySignaturesAsync(job, CancellationToken.None);
        var requestsRelayed = responder.Requests - requestsInProcess - requestsSameJson;

        Assert.Equal((SignatureVerdict.Invalid, RevocationStatus.Revoked), (inProcess.Verdict, inProcess.Signatures[0].RevocationStatus));
        Assert.Equal(2, requestsInProcess);
        foreach (var (report, requests, how) in new[] { (sameJson, requestsSameJson, "in-process pool"), (relayed, requestsRelayed, "real worker") })
        {
            Assert.True((inProcess.Verdict, inProcess.Signatures[0].RevocationDetail, inProcess.Explanation) == (report.Verdict, report.Signatures[0].RevocationDetail, report.Explanation),
                $"{how}: {report.Verdict}, {report.Signatures[0].RevocationDetail} / {report.Explanation} (chain: {string.Join(" < ", report.Signatures[0].Chain.Select(c => c.Subject))})");
            Assert.Equal(requestsInProcess, requests); // the same OCSP and CRL requests, once each
        }
    }
}
