using System.Security.Cryptography.X509Certificates;
using DocEngine.Core.Signatures.Revocation;
using DocEngine.Core.Workers;

namespace DocEngine.Core.Signatures;

/// <summary>
/// Signature verification in a worker, as a whole: the file's bytes in, the report out, with the trust anchors sent
/// as certificates (DER). The verifier's own time limit answers first with its sentence; the worker is killed at
/// twice that. Run it with <see cref="SignatureWorkers.VerifySignaturesAsync"/>, which also fetches revocation data
/// for it when the caller opted in (a worker has no network).
/// </summary>
/// <param name="Path">The signed PDF, or the detached signature (.p7s).</param>
/// <param name="ContentPath">For a detached signature: the file it signs; null for a PDF.</param>
/// <param name="Password">The PDF's password, when it has one.</param>
/// <param name="Anchors">Trusted certificates, DER.</param>
/// <param name="Options">The verifier's limits, and whether revocation data may be fetched.</param>
public sealed record VerifySignaturesJob(string Path, string? ContentPath, string? Password, IReadOnlyList<byte[]> Anchors, SignatureOptions Options)
    : WorkerJob<SignatureCheck>
{
    /// <summary>Revocation data the caller fetched for earlier rounds of this check (only with <see cref="RevocationOptions.Fetch"/>).</summary>
    public IReadOnlyList<FetchedRevocation> Fetched { get; init; } = [];

    /// <summary>True when no more fetching will be done: a request not in <see cref="Fetched"/> is answered as not fetched.</summary>
    public bool LastRound { get; init; }

    /// <summary>A job for <paramref name="path"/> with <paramref name="anchors"/> (configured and per-call together).</summary>
    public static VerifySignaturesJob For(string path, string? contentPath, string? password, TrustAnchors anchors, SignatureOptions options) =>
        new(path, contentPath, password, anchors.Certificates.Select(c => c.RawData).ToList(), options);

    public override TimeSpan TimeLimit() => Options.TimeLimit * 2 + TimeSpan.FromSeconds(2);

    public override DocEngineException Timeout() => new(ErrorKind.ResourceExhausted, "SIGNATURE_CHECK_TIMEOUT",
        $"Checking this document's signatures took longer than {Options.TimeLimit.TotalSeconds:0.#} seconds, which no honest signed PDF needs: ask for a fresh copy of the signed document.");

    public override IEnumerable<string> Inputs() => ContentPath is null ? [Path] : [Path, ContentPath];

    public override async Task<SignatureCheck> ExecuteAsync(WorkerContext context, CancellationToken cancellationToken)
    {
        var relay = Options.Revocation.Fetch ? new RelayedFetcher(Fetched, LastRound) : null;
        var verifier = new SignatureVerifier(Options, new TrustAnchors(Anchors.Select(der => X509CertificateLoader.LoadCertificate(der))), fetcher: relay);
        var bytes = await File.ReadAllBytesAsync(Path, cancellationToken).ConfigureAwait(false);
        var report = ContentPath is null
            ? await verifier.VerifyPdfAsync(bytes, Password, null, cancellationToken).ConfigureAwait(false)
            : await verifier.VerifyDetachedAsync(bytes, await File.ReadAllBytesAsync(ContentPath, cancellationToken).ConfigureAwait(false), null, cancellationToken).ConfigureAwait(false);
        return relay?.Wanted is { } wanted ? new SignatureCheck(null, wanted) : new SignatureCheck(report, null);
    }

    /// <summary>
    /// Answers from what the caller fetched; the first request it has no answer for is noted (and answered as missing, so
    /// the check runs to its end), and the caller fetches it and runs the check again. The verifier asks in the same order
    /// each time, so every round fetches exactly the request the in-process verifier would have made next.
    /// </summary>
    private sealed class RelayedFetcher(IReadOnlyList<FetchedRevocation> fetched, bool lastRound) : IRevocationFetcher
    {
        public RevocationRequest? Wanted { get; private set; }

        public (byte[]? Answer, string? Problem) Fetch(Uri url, byte[]? ocspRequest, CancellationToken cancellationToken)
        {
            var request = new RevocationRequest(url.AbsoluteUri, ocspRequest);
            if (fetched.FirstOrDefault(f => f.Request.Matches(request)) is { } answer)
            {
                return (answer.Answer, answer.Problem);
            }
            if (!lastRound)
            {
                Wanted ??= request;
            }
            return (null, $"its revocation data was not fetched from {url.Host}: too many requests for one check");
        }
    }
}

/// <summary>A revocation request a worker needs answered: a CRL to GET, or an OCSP request to POST.</summary>
public sealed record RevocationRequest(string Url, byte[]? OcspRequest)
{
    /// <summary>Same URL and same request bytes.</summary>
    public bool Matches(RevocationRequest other) => Url == other.Url
        && (OcspRequest is null ? other.OcspRequest is null : other.OcspRequest is not null && OcspRequest.AsSpan().SequenceEqual(other.OcspRequest));
}

/// <summary>What fetching <paramref name="Request"/> gave: the answer, or why there is none.</summary>
public sealed record FetchedRevocation(RevocationRequest Request, byte[]? Answer, string? Problem);

/// <summary>A worker's answer to a signature check: the report, or the revocation request it needs fetched first.</summary>
public sealed record SignatureCheck(SignatureReport? Report, RevocationRequest? Wanted);

/// <summary>Runs signature checks in workers.</summary>
public static class SignatureWorkers
{
    /// <summary>Most revocation requests fetched for one check (each OCSP responder and CRL point of each certificate counts one).</summary>
    public const int MaxFetches = 16;

    /// <summary>
    /// The report of <paramref name="job"/>. When the caller opted in to fetching revocation data, the worker (which has no
    /// network) asks for each request in turn; this process fetches it, under the per-request timeout and size cap, and
    /// runs the check again with every answer so far, until the check needs nothing more.
    /// </summary>
    public static async Task<SignatureReport> VerifySignaturesAsync(this WorkerPool workers, VerifySignaturesJob job, CancellationToken cancellationToken)
    {
        HttpRevocationFetcher? fetcher = null;
        var fetched = new List<FetchedRevocation>();
        while (true)
        {
            var check = await workers.RunAsync(job with { Fetched = fetched.ToList(), LastRound = fetched.Count >= MaxFetches }, cancellationToken).ConfigureAwait(false);
            if (check.Report is { } report)
            {
                return report;
            }
            var wanted = check.Wanted ?? throw new InvalidOperationException("A signature check answered with neither a report nor a request.");
            fetcher ??= new HttpRevocationFetcher(job.Options.Revocation.Timeout);
            var (answer, problem) = await Task.Run(() => fetcher.Fetch(new Uri(wanted.Url), wanted.OcspRequest, cancellationToken), cancellationToken).ConfigureAwait(false);
            fetched.Add(new FetchedRevocation(wanted, answer, problem));
        }
    }
}
