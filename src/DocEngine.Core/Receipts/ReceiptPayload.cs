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

/// <summary>The processing results known when the receipt was issued.</summary>
public sealed record ReceiptProcessing(
    [property: JsonPropertyName("signatureVerdict")] string? SignatureVerdict,
    [property: JsonPropertyName("note")] string? Note,
    [property: JsonPropertyName("renditions")] IReadOnlyList<ReceiptRendition> Renditions);

/// <summary>A rendition that existed when the receipt was issued.</summary>
public sealed record ReceiptRendition(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("mediaType")] string MediaType,
    [property: JsonPropertyName("sha256")] string Sha256);
