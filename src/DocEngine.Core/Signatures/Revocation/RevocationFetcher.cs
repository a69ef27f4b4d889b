using System.Net.Http.Headers;

namespace DocEngine.Core.Signatures.Revocation;

/// <summary>Fetches revocation data over the network: used only when a caller opts in (DocEngine:Signatures:Revocation:Fetch).</summary>
public interface IRevocationFetcher
{
    /// <summary>POSTs an OCSP request to <paramref name="url"/> (or GETs a CRL when <paramref name="ocspRequest"/> is null); the answer, or why there is none.</summary>
    (byte[]? Answer, string? Problem) Fetch(Uri url, byte[]? ocspRequest, CancellationToken cancellationToken);
}

/// <summary>Revocation fetching over HTTP, each request under <see cref="RevocationOptions.Timeout"/> and a size cap.</summary>
internal sealed class HttpRevocationFetcher : IRevocationFetcher
{
    private const int MaxBytes = 16 << 20;
    private readonly HttpClient _client;
    private readonly TimeSpan _timeout;

    public HttpRevocationFetcher(TimeSpan timeout)
    {
        _timeout = timeout;
        _client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true, MaxAutomaticRedirections = 3 }) { Timeout = timeout };
    }

    public (byte[]? Answer, string? Problem) Fetch(Uri url, byte[]? ocspRequest, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(ocspRequest is null ? HttpMethod.Get : HttpMethod.Post, url);
        if (ocspRequest is not null)
        {
            request.Content = new ByteArrayContent(ocspRequest);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/ocsp-request");
        }
        try
        {
            using var response = _client.Send(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                return (null, $"{url.Host} answered HTTP {(int)response.StatusCode}");
            }
            using var stream = response.Content.ReadAsStream(cancellationToken);
            using var buffer = new MemoryStream();
            var chunk = new byte[64 << 10];
            int read;
            while ((read = stream.Read(chunk)) > 0)
            {
                if (buffer.Length + read > MaxBytes)
                {
                    return (null, $"{url.Host} sent more than {MaxBytes >> 20} MB");
                }
                buffer.Write(chunk, 0, read);
            }
            return (buffer.ToArray(), null);
        }
        catch (Exception e) when (e is HttpRequestException or IOException || e is TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return (null, $"its revocation data could not be fetched from {url.Host} within {_timeout.TotalSeconds:0.#} s");
        }
    }
}
