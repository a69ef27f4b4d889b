using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace DocEngine.Tests.Infrastructure.SignedPdfs;

/// <summary>What <see cref="DssUpdate.Append"/> puts in the document security store.</summary>
public sealed record DssContent
{
    /// <summary>DER certificates for /Certs.</summary>
    public IReadOnlyList<byte[]> Certificates { get; init; } = [];

    /// <summary>DER OCSPResponses for /OCSPs.</summary>
    public IReadOnlyList<byte[]> Ocsps { get; init; } = [];

    /// <summary>DER CRLs for /CRLs.</summary>
    public IReadOnlyList<byte[]> Crls { get; init; } = [];

    /// <summary>A signature's raw /Contents: a /VRI entry keyed by its SHA-1 lists the same items.</summary>
    public byte[]? VriFor { get; init; }

    /// <summary>Extra dictionary text appended inside the DSS (e.g. "/OpenAction 4 0 R", for a DSS that holds more than validation data).</summary>
    public string? Extra { get; init; }

    /// <summary>Rewrites the existing DSS dictionary object in place instead of writing a new one.</summary>
    public bool InPlace { get; init; }
}

/// <summary>Appends a document security store (ETSI EN 319 142-1 §5.4.2) as a long-term-validation tool does: data streams, the DSS, the catalog's /DSS.</summary>
public static class DssUpdate
{
    /// <summary>One update adding <paramref name="content"/> to the DSS (created, or extended keeping what it held) and returns the new file.</summary>
    public static byte[] Append(byte[] pdf, DssContent content)
    {
        var next = IncrementalUpdate.NextObjectNumber(pdf);
        var writes = new List<PdfObjectWrite>();
        List<int> Streams(IEnumerable<byte[]> items)
        {
            var numbers = new List<int>();
            foreach (var item in items)
            {
                writes.Add(new PdfObjectWrite(next, 0, IncrementalUpdate.StreamBody("", item)));
                numbers.Add(next++);
            }
            return numbers;
        }
        var (certs, ocsps, crls) = (Streams(content.Certificates), Streams(content.Ocsps), Streams(content.Crls));
        var catalog = PdfObjectReader.RootObject(pdf);
        var catalogBody = PdfObjectReader.ReadObject(pdf, catalog);
        var existing = PdfObjectReader.Reference(catalogBody, "DSS");
        var oldBody = existing is { } e ? PdfObjectReader.ReadObject(pdf, e) : "<< >>";
        string Array(string key, List<int> added) =>
            $"[{string.Join(" ", PdfObjectReader.References(oldBody, key).Concat(added).Select(n => $"{n} 0 R"))}]";
        var dss = new StringBuilder("<< /Type /DSS");
        dss.Append(" /Certs ").Append(Array("Certs", certs)).Append(" /OCSPs ").Append(Array("OCSPs", ocsps)).Append(" /CRLs ").Append(Array("CRLs", crls));
        var vri = PdfObjectReader.Reference(oldBody, "VRI");
        if (content.VriFor is { } signature)
        {
            var key = Convert.ToHexString(SHA1.HashData(signature));
            var entry = $"/{key} << /Type /VRI /Cert [{Refs(certs)}] /OCSP [{Refs(ocsps)}] /CRL [{Refs(crls)}] >>";
            var vriBody = vri is { } v ? PdfObjectReader.ReadObject(pdf, v).TrimEnd()[..^2] + " " + entry + " >>" : $"<< {entry} >>";
            writes.Add(PdfObjectWrite.Of(next, vriBody));
            vri = next++;
        }
        if (vri is { } reference)
        {
            dss.Append(CultureInfo.InvariantCulture, $" /VRI {reference} 0 R");
        }
        if (content.Extra is not null)
        {
            dss.Append(' ').Append(content.Extra);
        }
        dss.Append(" >>");
        if (content.InPlace && existing is { } inPlace)
        {
            writes.Add(PdfObjectWrite.Of(inPlace, dss.ToString()));
        }
        else
        {
            writes.Add(PdfObjectWrite.Of(next, dss.ToString()));
            writes.Add(PdfObjectWrite.Of(catalog, PdfSigner.SetEntry(catalogBody, "DSS", $"{next} 0 R")));
        }
        return IncrementalUpdate.Append(pdf, writes);
    }

    private static string Refs(IEnumerable<int> numbers) => string.Join(" ", numbers.Select(n => $"{n} 0 R"));
}
