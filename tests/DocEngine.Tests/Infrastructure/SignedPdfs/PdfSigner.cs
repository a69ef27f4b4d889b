using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace DocEngine.Tests.Infrastructure.SignedPdfs;

/// <summary>The /SubFilter (and /Type) of a signature that <see cref="PdfSigner"/> writes.</summary>
public enum PdfSignatureKind
{
    /// <summary>/Type /Sig /SubFilter /adbe.pkcs7.detached.</summary>
    AdbePkcs7Detached,

    /// <summary>/Type /Sig /SubFilter /ETSI.CAdES.detached.</summary>
    EtsiCadesDetached,

    /// <summary>/Type /DocTimeStamp /SubFilter /ETSI.RFC3161 (the contents are a TimeStampToken from <see cref="TestTsa"/>).</summary>
    DocTimeStamp,
}

/// <summary>How <see cref="PdfSigner"/> signs: the field, the kind, the CMS, MDP permissions and the dictionary's text entries.</summary>
public sealed record PdfSignOptions
{
    /// <summary>The signature field to fill, looked up by /T among the AcroForm's fields (ignored when <see cref="FieldObject"/> is set).</summary>
    public string FieldName { get; init; } = "Signature1";

    /// <summary>The field's object number, when given directly.</summary>
    public int? FieldObject { get; init; }

    /// <summary>The field's current body to rewrite with /V (read from the newest revision when null).</summary>
    public string? FieldBody { get; init; }

    /// <summary>The /SubFilter.</summary>
    public PdfSignatureKind Kind { get; init; } = PdfSignatureKind.AdbePkcs7Detached;

    /// <summary>How the CMS is made (signer, digest, attributes, timestamp...).</summary>
    public CmsOptions Cms { get; init; } = new();

    /// <summary>Makes this a certification signature: a DocMDP /Reference and /Perms /DocMDP in a new catalog version.</summary>
    public bool DocMdp { get; init; }

    /// <summary>The DocMDP /P value (1, 2 or 3).</summary>
    public int DocMdpPermissions { get; init; } = 2;

    /// <summary>When set, a FieldMDP /Reference with /Action /Include over these field names.</summary>
    public IReadOnlyList<string>? FieldMdpInclude { get; init; }

    /// <summary>The /Reason (omitted when null).</summary>
    public string? Reason { get; init; } = "I approve this document";

    /// <summary>The /Name (omitted when null).</summary>
    public string? Name { get; init; } = "Test Signer";

    /// <summary>The /M date string; default now, so it lies inside the test certificates' validity whenever the tests run.</summary>
    public string SigningTime { get; init; } = DateTimeOffset.UtcNow.ToString("'D:'yyyyMMddHHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>How many hex digits the /Contents placeholder holds.</summary>
    public int ContentsHexLength { get; init; } = 16384;

    /// <summary>Signs an encrypted file: omits the strings /M, /Reason and /Name (they would need encrypting) and keeps the field body's bytes.</summary>
    public bool EncryptedTarget { get; init; }

    /// <summary>Makes the CMS from the signed bytes instead of <see cref="CmsSignatureMaker.Sign"/> (for signatures no library would make).</summary>
    public Func<byte[], byte[]>? CmsFactory { get; init; }

    /// <summary>More objects written in the signing update (e.g. tagging), numbered from <see cref="IncrementalUpdate.NextObjectNumber"/> + 1 on.</summary>
    public IReadOnlyList<PdfObjectWrite> ExtraWrites { get; init; } = [];
}

/// <summary>A PDF signed by <see cref="PdfSigner"/>: the bytes, the new signature dictionary, the field, the /ByteRange and the raw /Contents.</summary>
public sealed record SignedPdf(byte[] Bytes, int SignatureObject, int FieldObject, long[] ByteRange, byte[] Contents);

/// <summary>Signs a PDF the way Adobe does: one incremental update with a new signature dictionary and a new field version.</summary>
public static class PdfSigner
{
    private const string ByteRangePlaceholder = "[0 XXXXXXXXXX XXXXXXXXXX XXXXXXXXXX]";

    /// <summary>Signs <paramref name="pdf"/> as a new revision and returns the signed file.</summary>
    public static SignedPdf Sign(byte[] pdf, PdfSignOptions? options = null)
    {
        options ??= new PdfSignOptions();
        if (PdfObjectReader.ReadTrailer(pdf).Encrypt is not null && !options.EncryptedTarget)
        {
            throw new ArgumentException("The file is encrypted (its trailer has /Encrypt): set PdfSignOptions.EncryptedTarget.", nameof(options));
        }
        if (options.EncryptedTarget && options.FieldMdpInclude is not null)
        {
            throw new NotSupportedException("FieldMDP /Fields are strings, which an encrypted target would need encrypted.");
        }
        // The field body is copied byte for byte (Latin-1), so in an encrypted file its strings stay encrypted for the same object number.
        var fieldNumber = options.FieldObject ?? PdfObjectReader.Field(pdf, options.FieldName);
        var fieldBody = options.FieldBody ?? PdfObjectReader.ReadObject(pdf, fieldNumber);
        var signature = IncrementalUpdate.NextObjectNumber(pdf);
        var writes = new List<PdfObjectWrite>
        {
            PdfObjectWrite.Of(signature, SignatureDictionary(options)),
            PdfObjectWrite.Of(fieldNumber, SetEntry(fieldBody, "V", $"{signature} 0 R")),
        };
        if (options.DocMdp)
        {
            var catalog = PdfObjectReader.RootObject(pdf);
            var catalogBody = PdfObjectReader.ReadObject(pdf, catalog);
            writes.Add(PdfObjectWrite.Of(catalog, SetEntry(catalogBody, "Perms", $"<< /DocMDP {signature} 0 R >>")));
        }
        writes.AddRange(options.ExtraWrites);
        var bytes = IncrementalUpdate.Append(pdf, writes);

        var text = Encoding.Latin1.GetString(bytes);
        var objectStart = text.IndexOf($"\n{signature} 0 obj\n", pdf.Length - 1, StringComparison.Ordinal);
        var rangeAt = text.IndexOf(ByteRangePlaceholder, objectStart, StringComparison.Ordinal);
        var contentsStart = text.IndexOf("/Contents <", objectStart, StringComparison.Ordinal) + "/Contents ".Length;
        var contentsEnd = contentsStart + options.ContentsHexLength + 2;
        long[] byteRange = [0, contentsStart, contentsEnd, bytes.Length - contentsEnd];
        var range = string.Create(CultureInfo.InvariantCulture, $"[{byteRange[0]} {byteRange[1]} {byteRange[2]} {byteRange[3]}]").PadRight(ByteRangePlaceholder.Length);
        Encoding.Latin1.GetBytes(range).CopyTo(bytes, rangeAt);

        var signed = SignedContent(bytes, byteRange);
        var contents = options.Kind == PdfSignatureKind.DocTimeStamp
            ? TestTsa.CreateToken(signed, options.Cms.Digest)
            : options.CmsFactory?.Invoke(signed) ?? CmsSignatureMaker.Sign(signed, options.Cms);
        var hex = Convert.ToHexString(contents);
        if (hex.Length > options.ContentsHexLength)
        {
            throw new InvalidOperationException($"The signature needs {hex.Length} hex digits; the placeholder holds {options.ContentsHexLength}.");
        }
        Encoding.Latin1.GetBytes(hex).CopyTo(bytes, contentsStart + 1);
        return new SignedPdf(bytes, signature, fieldNumber, byteRange, contents);
    }

    /// <summary>The bytes a /ByteRange covers, concatenated.</summary>
    public static byte[] SignedContent(byte[] pdf, IReadOnlyList<long> byteRange)
    {
        var content = new MemoryStream();
        for (var i = 0; i + 1 < byteRange.Count; i += 2)
        {
            content.Write(pdf, (int)byteRange[i], (int)byteRange[i + 1]);
        }
        return content.ToArray();
    }

    /// <summary>A dictionary body with <c>/Key value</c> set: replaces the existing value (nested dictionaries and arrays included) or inserts before the final <c>&gt;&gt;</c>.</summary>
    public static string SetEntry(string dictionaryBody, string key, string value)
    {
        var at = FindKey(dictionaryBody, key);
        if (at >= 0)
        {
            var start = at + key.Length + 1;
            while (start < dictionaryBody.Length && char.IsWhiteSpace(dictionaryBody[start]))
            {
                start++;
            }
            var end = ValueEnd(dictionaryBody, start);
            return dictionaryBody[..at] + $"/{key} {value}" + dictionaryBody[end..];
        }
        var body = dictionaryBody.TrimEnd();
        if (!body.EndsWith(">>", StringComparison.Ordinal))
        {
            throw new FormatException("Not a dictionary body: " + body);
        }
        return body[..^2].TrimEnd() + $" /{key} {value} >>";
    }

    /// <summary>Where <c>/Key</c> starts as a key of the outermost dictionary (not inside a nested one), or -1.</summary>
    private static int FindKey(string body, string key)
    {
        var depth = 0;
        for (var i = 0; i < body.Length; i++)
        {
            switch (body[i])
            {
                case '(':
                    i = StringEnd(body, i) - 1;
                    break;
                case '<' when i + 1 < body.Length && body[i + 1] == '<':
                    depth++;
                    i++;
                    break;
                case '>' when i + 1 < body.Length && body[i + 1] == '>':
                    depth--;
                    i++;
                    break;
                case '[':
                    depth++;
                    break;
                case ']':
                    depth--;
                    break;
                case '/' when depth == 1 && string.CompareOrdinal(body, i + 1, key, 0, key.Length) == 0
                    && (i + 1 + key.Length == body.Length || " \t\r\n/<[(".Contains(body[i + 1 + key.Length], StringComparison.Ordinal)):
                    return i;
            }
        }
        return -1;
    }

    /// <summary>The end of the PDF value starting at <paramref name="start"/>: a dictionary, array, string, reference, name or number.</summary>
    private static int ValueEnd(string body, int start)
    {
        if (body[start] == '(')
        {
            return StringEnd(body, start);
        }
        if (body[start] == '<' && (start + 1 == body.Length || body[start + 1] != '<'))
        {
            return body.IndexOf('>', start) + 1; // a hex string
        }
        if (body[start] is '<' or '[')
        {
            var depth = 0;
            for (var i = start; i < body.Length; i++)
            {
                if (body[i] == '(')
                {
                    i = StringEnd(body, i) - 1;
                    continue;
                }
                depth += body[i] switch { '[' => 1, ']' => -1, '<' when i + 1 < body.Length && body[i + 1] == '<' => 1, '>' when i + 1 < body.Length && body[i + 1] == '>' => -1, _ => 0 };
                if (body[i] is '<' or '>' && i + 1 < body.Length && body[i + 1] == body[i])
                {
                    i++;
                }
                if (depth == 0)
                {
                    return i + 1;
                }
            }
            return body.Length;
        }
        var reference = Regex.Match(body[start..], @"^\d+\s+\d+\s+R\b");
        if (reference.Success)
        {
            return start + reference.Length;
        }
        var end = start + 1;
        while (end < body.Length && !" \t\r\n/<>[]()".Contains(body[end], StringComparison.Ordinal))
        {
            end++;
        }
        return end;
    }

    private static int StringEnd(string body, int start)
    {
        var depth = 0;
        for (var i = start; i < body.Length; i++)
        {
            switch (body[i])
            {
                case '\\':
                    i++;
                    break;
                case '(':
                    depth++;
                    break;
                case ')' when --depth == 0:
                    return i + 1;
            }
        }
        return body.Length;
    }

    private static string SignatureDictionary(PdfSignOptions options)
    {
        var text = new StringBuilder(options.Kind switch
        {
            PdfSignatureKind.AdbePkcs7Detached => "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached",
            PdfSignatureKind.EtsiCadesDetached => "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached",
            _ => "<< /Type /DocTimeStamp /Filter /Adobe.PPKLite /SubFilter /ETSI.RFC3161",
        });
        text.Append(" /ByteRange ").Append(ByteRangePlaceholder);
        text.Append(" /Contents <").Append('0', options.ContentsHexLength).Append('>');
        // /Contents is never encrypted (ISO 32000-2 7.6.2); the text strings would be, so encrypted targets go without them.
        if (options.Kind != PdfSignatureKind.DocTimeStamp && !options.EncryptedTarget)
        {
            text.Append(" /M (").Append(options.SigningTime).Append(')');
            if (options.Reason is not null)
            {
                text.Append(" /Reason ").Append(FormPdf.Literal(options.Reason));
            }
            if (options.Name is not null)
            {
                text.Append(" /Name ").Append(FormPdf.Literal(options.Name));
            }
        }
        var references = new List<string>();
        if (options.DocMdp)
        {
            references.Add($"<< /Type /SigRef /TransformMethod /DocMDP /TransformParams << /Type /TransformParams /P {options.DocMdpPermissions} /V /1.2 >> >>");
        }
        if (options.FieldMdpInclude is { } fields)
        {
            var names = string.Join(" ", fields.Select(FormPdf.Literal));
            references.Add($"<< /Type /SigRef /TransformMethod /FieldMDP /TransformParams << /Type /TransformParams /Action /Include /Fields [{names}] /V /1.2 >> >>");
        }
        if (references.Count > 0)
        {
            text.Append(" /Reference [").AppendJoin(" ", references).Append(']');
        }
        return text.Append(" >>").ToString();
    }
}
