using UglyToad.PdfPig;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Exceptions;
using UglyToad.PdfPig.Tokens;
using PdfPigDocument = UglyToad.PdfPig.PdfDocument;

namespace DocEngine.Core.Pdf;

/// <summary>
/// Reads what a PDF is made of with PdfPig (lenient parsing, bounded nesting): pages and their sizes, encryption, whether
/// there is a text layer, and the risky or notable parts later steps care about (JavaScript, embedded files, XFA,
/// signature fields). It never renders and never executes anything.
/// </summary>
public static class PdfInspector
{
    private const int MaxObjectsScanned = 200_000;
    private const int MaxTreeDepth = 64;

    /// <summary>Inspects a PDF. A password-protected PDF without its password is reported, not refused.</summary>
    public static PdfFacts Inspect(Stream stream, string? password, PdfOptions options) =>
        Open(stream, password, document => Read(document, options), PdfFacts.Locked);

    /// <summary>
    /// Only what drawing or rewriting pages needs: the page count, encryption and whether a password is needed, whether it
    /// is dynamic XFA, and how many signature fields are signed. It parses no content stream and scans no object, so it
    /// costs a few milliseconds where <see cref="Inspect"/> can cost a hundred.
    /// </summary>
    public static PdfOutline Outline(Stream stream, string? password) =>
        Open(stream, password, document =>
        {
            var structure = document.Structure;
            var acroForm = Resolve(structure, structure.Catalog.CatalogDictionary.Data.GetValueOrDefault("AcroForm")) as DictionaryToken;
            var (_, signed) = CountSignatureFields(structure, Resolve(structure, acroForm?.Data.GetValueOrDefault("Fields")), 0, []);
            return new PdfOutline(document.NumberOfPages, false, IsDynamicXfa(structure),
                document.IsEncrypted ? PdfEncryption.OpensWithoutPassword : PdfEncryption.None, signed, acroForm?.Data.ContainsKey("XFA") ?? false);
        }, PdfOutline.Locked);

    private static T Open<T>(Stream stream, string? password, Func<PdfPigDocument, T> read, T locked)
    {
        stream.Position = 0;
        var parsing = new ParsingOptions
        {
            UseLenientParsing = true,
            SkipMissingFonts = true,
            ClipPaths = false,
            MaxStackDepth = 256,
            Password = password ?? "",
        };
        try
        {
            using var document = PdfPigDocument.Open(stream, parsing);
            return read(document);
        }
        catch (PdfDocumentEncryptedException) when (string.IsNullOrEmpty(password))
        {
            return locked;
        }
        catch (PdfDocumentEncryptedException)
        {
            throw PdfRefusals.WrongPassword();
        }
        catch (Exception e) when (e is not DocEngineException and not OperationCanceledException and not OutOfMemoryException)
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "DAMAGED_FILE",
                "This PDF is damaged and cannot be read: open it in a PDF viewer and save or print it to a new PDF, then upload that.")
            {
                Details = new Dictionary<string, string> { ["parser_message"] = e.Message.Split('\n')[0] },
            };
        }
    }

    private static PdfFacts Read(PdfPigDocument document, PdfOptions options)
    {
        var structure = document.Structure;
        var catalog = structure.Catalog.CatalogDictionary;
        var sizes = new List<PdfPageSize>();
        WalkPages(structure, Resolve(structure, catalog.Data.GetValueOrDefault("Pages")), null, 0, sizes, 0, []);

        // The text layer's coverage: how many of the first pages have selectable text (OCR adds it to the others).
        var checkedPages = Math.Min(document.NumberOfPages, options.MaxPdfPagesForText);
        var textPages = 0;
        for (var number = 1; number <= checkedPages; number++)
        {
            textPages += document.GetPage(number).Letters.Any(letter => !string.IsNullOrWhiteSpace(letter.Value)) ? 1 : 0;
        }
        var hasText = textPages > 0;

        var (javaScript, embeddedFiles) = ScanObjects(structure);
        var acroForm = Resolve(structure, catalog.Data.GetValueOrDefault("AcroForm")) as DictionaryToken;
        var names = Resolve(structure, catalog.Data.GetValueOrDefault("Names")) as DictionaryToken;
        var (fields, signed) = CountSignatureFields(structure, Resolve(structure, acroForm?.Data.GetValueOrDefault("Fields")), 0, []);
        return new PdfFacts(
            Version: document.Version.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture),
            Pages: document.NumberOfPages,
            PageSizes: sizes,
            Encryption: document.IsEncrypted ? PdfEncryption.OpensWithoutPassword : PdfEncryption.None,
            PasswordRequired: false,
            HasTextLayer: hasText,
            HasJavaScript: javaScript || (names?.Data.ContainsKey("JavaScript") ?? false) || HasJavaScriptAction(structure, catalog),
            HasEmbeddedFiles: embeddedFiles || (names?.Data.ContainsKey("EmbeddedFiles") ?? false),
            HasXfa: acroForm?.Data.ContainsKey("XFA") ?? false,
            IsDynamicXfa: IsDynamicXfa(structure),
            SignatureFields: fields,
            SignedSignatureFields: signed)
        {
            TextLayerPages = textPages,
            PagesCheckedForText = checkedPages,
        };
    }

    private static bool IsDynamicXfa(UglyToad.PdfPig.Structure structure)
    {
        var catalog = structure.Catalog.CatalogDictionary;
        return Resolve(structure, catalog.Data.GetValueOrDefault("AcroForm")) is DictionaryToken acroForm && acroForm.Data.ContainsKey("XFA")
            && catalog.Data.GetValueOrDefault("NeedsRendering") is BooleanToken { Data: true };
    }

    private static void WalkPages(UglyToad.PdfPig.Structure structure, IToken? node, ArrayToken? mediaBox, int rotate,
        List<PdfPageSize> sizes, int depth, HashSet<IToken> seen)
    {
        if (node is not DictionaryToken dictionary || depth > MaxTreeDepth || !seen.Add(dictionary))
        {
            return;
        }
        mediaBox = Resolve(structure, dictionary.Data.GetValueOrDefault("MediaBox")) as ArrayToken ?? mediaBox;
        rotate = Resolve(structure, dictionary.Data.GetValueOrDefault("Rotate")) is NumericToken r ? r.Int : rotate;
        if (Resolve(structure, dictionary.Data.GetValueOrDefault("Kids")) is ArrayToken kids)
        {
            foreach (var kid in kids.Data)
            {
                WalkPages(structure, Resolve(structure, kid), mediaBox, rotate, sizes, depth + 1, seen);
            }
            return;
        }
        var box = mediaBox?.Data.Select(t => Resolve(structure, t) is NumericToken n ? n.Double : 0).ToArray() ?? [0, 0, 612, 792];
        sizes.Add(box.Length == 4
            ? new PdfPageSize(Math.Abs(box[2] - box[0]), Math.Abs(box[3] - box[1]), ((rotate % 360) + 360) % 360)
            : new PdfPageSize(612, 792, 0));
    }

    private static (bool JavaScript, bool EmbeddedFiles) ScanObjects(UglyToad.PdfPig.Structure structure)
    {
        var (javaScript, embedded) = (false, false);
        foreach (var reference in structure.CrossReferenceTable.ObjectOffsets.Keys.Take(MaxObjectsScanned))
        {
            DictionaryToken? dictionary;
            try
            {
                dictionary = structure.GetObject(reference).Data switch
                {
                    DictionaryToken d => d,
                    StreamToken s => s.StreamDictionary,
                    _ => null,
                };
            }
            catch (Exception e) when (e is PdfDocumentFormatException or InvalidOperationException or InvalidCastException or ArgumentException)
            {
                continue; // one unreadable object does not hide the others
            }
            if (dictionary is null)
            {
                continue;
            }
            javaScript |= dictionary.Data.ContainsKey("JS") || IsName(dictionary, "S", "JavaScript");
            embedded |= IsName(dictionary, "Type", "EmbeddedFile") || dictionary.Data.ContainsKey("EF");
        }
        return (javaScript, embedded);
    }

    private static bool HasJavaScriptAction(UglyToad.PdfPig.Structure structure, DictionaryToken catalog) =>
        Resolve(structure, catalog.Data.GetValueOrDefault("OpenAction")) is DictionaryToken action && IsName(action, "S", "JavaScript");

    private static (int Fields, int Signed) CountSignatureFields(UglyToad.PdfPig.Structure structure, IToken? fields, int depth, HashSet<IToken> seen)
    {
        if (fields is not ArrayToken array || depth > MaxTreeDepth)
        {
            return (0, 0);
        }
        var (count, signed) = (0, 0);
        foreach (var item in array.Data)
        {
            if (Resolve(structure, item) is not DictionaryToken field || !seen.Add(field))
            {
                continue;
            }
            if (IsName(field, "FT", "Sig"))
            {
                count++;
                signed += IsSigned(structure, field) ? 1 : 0;
            }
            var (kidFields, kidSigned) = CountSignatureFields(structure, Resolve(structure, field.Data.GetValueOrDefault("Kids")), depth + 1, seen);
            count += kidFields;
            signed += kidSigned;
        }
        return (count, signed);
    }

    /// <summary>
    /// A field holds a signature when its /V dictionary has /Contents with a non-zero byte: a field prepared for signing
    /// carries a zero-filled placeholder, which is not a signature (DSS's pdf-with-empty-sig.pdf).
    /// </summary>
    private static bool IsSigned(UglyToad.PdfPig.Structure structure, DictionaryToken field)
    {
        if (Resolve(structure, field.Data.GetValueOrDefault("V")) is not DictionaryToken value)
        {
            return false;
        }
        var contents = Resolve(structure, value.Data.GetValueOrDefault("Contents")) switch
        {
            HexToken hex => hex.Bytes.ToArray(),
            StringToken text => text.GetBytes(),
            _ => [],
        };
        return contents.Any(b => b != 0);
    }

    private static bool IsName(DictionaryToken dictionary, string key, string value) =>
        dictionary.Data.TryGetValue(key, out var token) && token is NameToken name && name.Data == value;

    private static IToken? Resolve(UglyToad.PdfPig.Structure structure, IToken? token)
    {
        for (var hops = 0; token is IndirectReferenceToken reference && hops < 16; hops++)
        {
            try
            {
                token = structure.GetObject(reference.Data).Data;
            }
            catch (Exception e) when (e is PdfDocumentFormatException or InvalidOperationException or InvalidCastException or ArgumentException)
            {
                return null;
            }
        }
        return token is IndirectReferenceToken ? null : token;
    }
}

/// <summary>What a PDF is made of.</summary>
/// <param name="Version">Header version, e.g. "1.7".</param>
/// <param name="Pages">Page count (0 when it needs a password to be read).</param>
/// <param name="PageSizes">Each page's media box in points and its /Rotate.</param>
/// <param name="Encryption">Whether it is encrypted, and whether it opens without a password.</param>
/// <param name="PasswordRequired">It cannot be read without a password.</param>
/// <param name="HasTextLayer">Some page has text a reader can select (checked on the first pages).</param>
/// <param name="HasJavaScript">It contains JavaScript.</param>
/// <param name="HasEmbeddedFiles">It carries attached files.</param>
/// <param name="HasXfa">It is (or contains) an XFA form.</param>
/// <param name="IsDynamicXfa">A dynamic XFA form (/NeedsRendering): only XFA viewers draw it; others show a placeholder page.</param>
/// <param name="SignatureFields">Signature fields, signed or empty.</param>
/// <param name="SignedSignatureFields">Signature fields that hold a signature.</param>
public sealed record PdfFacts(
    string Version,
    int Pages,
    IReadOnlyList<PdfPageSize> PageSizes,
    PdfEncryption Encryption,
    bool PasswordRequired,
    bool HasTextLayer,
    bool HasJavaScript,
    bool HasEmbeddedFiles,
    bool HasXfa,
    bool IsDynamicXfa,
    int SignatureFields,
    int SignedSignatureFields)
{
    /// <summary>Of the first <see cref="PagesCheckedForText"/> pages, how many have selectable text.</summary>
    public int TextLayerPages { get; init; }

    /// <summary>How many pages were checked for text (the first ones, up to the configured limit).</summary>
    public int PagesCheckedForText { get; init; }

    /// <summary>The facts of a PDF that needs a password before anything else can be read.</summary>
    public static PdfFacts Locked { get; } = new("", 0, [], PdfEncryption.NeedsPassword, true, false, false, false, false, false, 0, 0);
}

/// <summary>What drawing or rewriting a PDF's pages needs to know first.</summary>
/// <param name="Pages">Page count (0 when it needs a password to be read).</param>
/// <param name="PasswordRequired">It cannot be read without a password.</param>
/// <param name="IsDynamicXfa">A dynamic XFA form: viewers other than Adobe's show a placeholder page.</param>
/// <param name="Encryption">Whether it is encrypted, and whether it opens without a password.</param>
/// <param name="SignedSignatureFields">Signature fields that hold a signature.</param>
/// <param name="HasXfa">It carries an XFA form (the AcroForm's /XFA).</param>
public sealed record PdfOutline(int Pages, bool PasswordRequired, bool IsDynamicXfa, PdfEncryption Encryption, int SignedSignatureFields, bool HasXfa = false)
{
    /// <summary>The outline of a PDF that needs a password before anything else can be read.</summary>
    public static PdfOutline Locked { get; } = new(0, true, false, PdfEncryption.NeedsPassword, 0);
}

/// <summary>A page's size in points (1/72 inch) and its rotation in degrees.</summary>
public sealed record PdfPageSize(double WidthPoints, double HeightPoints, int Rotation);

/// <summary>How a PDF is protected.</summary>
public enum PdfEncryption
{
    /// <summary>Not encrypted.</summary>
    None,
    /// <summary>Encrypted with an empty user password (an owner password restricts printing or editing): opens without one.</summary>
    OpensWithoutPassword,
    /// <summary>A user password is needed to open it.</summary>
    NeedsPassword,
}
