using System.Text.Json;
using System.Text.Json.Serialization;

namespace DocEngine.Core.Receipts;

/// <summary>
/// What a receipt attests, as signed. Field names are stable: third parties read them with any JSON library.
/// <c>previousReceiptSha256</c> is the SHA-256 of the previous receipt's JWS text for the same application (null for
/// the first), which makes the application's receipts a hash chain.
/// </summary>
public sealed record ReceiptPayload(
    [property: JsonPropertyName("iss")] string Issuer,
    [property: JsonPropertyName("typ")] string Type,
    [property: JsonPropertyName("tenant")] string Tenant,
    [property: JsonPropertyName("application")] string Application,
    [property: JsonPropertyName("document")] string Document,
    [property: JsonPropertyName("filename")] string Filename,
    [property: JsonPropertyName("sizeBytes")] long SizeBytes,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("mediaType")] string MediaType,
    [property: JsonPropertyName("pages")] int Pages,
    [property: JsonPropertyName("receivedAt")] DateTimeOffset ReceivedAt,
    [property: JsonPropertyName("supplementary")] bool Supplementary,
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("processing")] ReceiptProcessing Processing,
    [property: JsonPropertyName("sequence")] long Sequence,
    [property: JsonPropertyName("previousReceiptSha256")] string? PreviousReceiptSha256,
    [property: JsonPropertyName("issuedAt")] DateTimeOffset IssuedAt)
{
    public const string ReceiptType = "docengine.receipt.v1";

    private static readonly JsonSerializerOptions Options = new() { WriteIndented = false };

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Options);

    /// <summary>Reads a payload; null when it is not a DocEngine receipt.</summary>
    public static ReceiptPayload? FromJson(byte[] json)
    {
        try
        {
            var payload = JsonSerializer.Deserialize<ReceiptPayload>(json, Options);
            return payload?.Type == ReceiptType ? payload : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

/// <summary>
/// The processing results known when the receipt was issued. <c>conversion</c> (left out when null) says, for a Word,
/// OpenDocument or RTF file, that DocEngine converts it to PDF and that the receipt is for the file as received.
/// </summary>
public sealed record ReceiptProcessing(
    [property: JsonPropertyName("signatureVerdict")] string? SignatureVerdict,
    [property: JsonPropertyName("note")] string? Note,
    [property: JsonPropertyName("renditions")] IReadOnlyList<ReceiptRendition> Renditions,
    [property: JsonPropertyName("conversion"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Conversion = null);

/// <summary>
/// A rendition that existed when the receipt was issued. The fields after <c>sha256</c> are left out when null (so
/// receipts of renditions that were only compressed read as before): what the rendition was converted from, the pages
/// that got searchable text, the archival standard, and <c>done</c>, the same in sentences a person reads.
/// </summary>
public sealed record ReceiptRendition(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("mediaType")] string MediaType,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("convertedFrom"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ConvertedFrom = null,
    [property: JsonPropertyName("textLayerPages"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? TextLayerPages = null,
    [property: JsonPropertyName("archival"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Archival = null,
    [property: JsonPropertyName("done"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Done = null);
