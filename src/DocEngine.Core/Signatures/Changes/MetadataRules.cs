using System.Xml;
using DocEngine.Core.Signatures.Syntax;

namespace DocEngine.Core.Signatures.Changes;

/// <summary>
/// XMP metadata (ISO 32000-2 §14.3.2) that signing tools rewrite: not displayed, so no modification, as long as the new
/// stream is a metadata stream of well-formed XML (pyHanko's MetadataUpdateRule). Anything else put there is "other".
/// </summary>
internal static class MetadataRules
{
    private const int MaxBytes = 4 << 20;

    /// <summary>Checks the new metadata: <paramref name="now"/> is the reference to it, or the object itself.</summary>
    public static void Check(ChangeContext context, PdfObject? now)
    {
        var location = now is PdfReference reference ? context.File.Locate(reference.Number, context.Revision) : null;
        var number = (now as PdfReference)?.Number ?? 0;
        if (context.After.Resolve(now) is PdfStream stream && stream.Name("Type") == "Metadata" && stream.Name("Subtype") == "XML"
            && (IsWellFormed(context, stream, null) || context.File.Encryption is not null && IsWellFormed(context, stream, (number, location?.Generation ?? 0))))
        {
            context.Add(ModificationLevel.None, "the document's XMP metadata was updated; it is not displayed as content");
        }
        else
        {
            context.Other("the metadata was replaced by something that is not an XML metadata stream");
        }
    }

    /// <summary>Whether the stream is well-formed XML, read as written or (for an encrypted file) decrypted as object <paramref name="decryptAs"/>.</summary>
    private static bool IsWellFormed(ChangeContext context, PdfStream stream, (int Number, int Generation)? decryptAs)
    {
        try
        {
            var raw = stream.Data(context.File.Span);
            var data = decryptAs is { } id && context.File.Encryption is { } encryption
                ? StreamDecoder.Decode(stream, encryption.DecryptStream(raw, id.Number, id.Generation), context.After.Resolve)
                : StreamDecoder.Decode(stream, raw, context.After.Resolve);
            if (data.Length > MaxBytes)
            {
                return false;
            }
            using var reader = XmlReader.Create(new MemoryStream(data), new XmlReaderSettings
            {
                DtdProcessing = DtdProcessing.Prohibit,
                XmlResolver = null,
                MaxCharactersInDocument = MaxBytes,
            });
            while (reader.Read())
            {
            }
            return true;
        }
        catch (Exception e) when (e is XmlException or PdfSyntaxException)
        {
            return false;
        }
    }
}
