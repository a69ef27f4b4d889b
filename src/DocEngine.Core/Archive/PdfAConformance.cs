using System.Globalization;
using System.Text;
using System.Xml;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Filters;
using UglyToad.PdfPig.Tokens;
using PdfPigDocument = UglyToad.PdfPig.PdfDocument;

namespace DocEngine.Core.Archive;

/// <summary>
/// A mechanical check of a file against the PDF/A-2b rules (ISO 19005-2:2011) that can be decided from its bytes and
/// object graph alone: header and trailer, XMP identification, the output intent and its ICC profile, embedded fonts,
/// encryption, actions and JavaScript, annotations, forms, transparency, images, XObjects, graphics states, filters,
/// optional content, embedded files and implementation limits. veraPDF is not installable here; what this does not check
/// (font programs' insides, content-stream operators, XMP extension schemas, level A/U) is listed in Archive/README.md.
/// Every object in the cross-reference table is visited once, up to <see cref="MaxObjects"/>.
/// </summary>
public static class PdfAConformance
{
    /// <summary>Most objects examined; a larger file is reported as not checked rather than checked in part.</summary>
    public const int MaxObjects = 500_000;

    private static readonly HashSet<string> ForbiddenActions = ["Launch", "Sound", "Movie", "ResetForm", "ImportData", "Hide", "SetOCGState", "Rendition", "Trans", "GoTo3DView", "JavaScript"];
    private static readonly HashSet<string> AllowedNamedActions = ["NextPage", "PrevPage", "FirstPage", "LastPage"];
    private static readonly HashSet<string> ForbiddenAnnotations = ["3D", "Sound", "Screen", "Movie"];
    private static readonly HashSet<string> KnownAnnotations = ["Text", "Link", "FreeText", "Line", "Square", "Circle", "Polygon", "PolyLine", "Highlight", "Underline",
        "Squiggly", "StrikeOut", "Stamp", "Caret", "Ink", "Popup", "FileAttachment", "Widget", "PrinterMark", "TrapNet", "Watermark", "Redact"];
    private static readonly HashSet<string> BlendModes = ["Normal", "Compatible", "Multiply", "Screen", "Overlay", "Darken", "Lighten", "ColorDodge", "ColorBurn",
        "HardLight", "SoftLight", "Difference", "Exclusion", "Hue", "Saturation", "Color", "Luminosity"];
    private static readonly HashSet<string> RenderingIntents = ["RelativeColorimetric", "AbsoluteColorimetric", "Perceptual", "Saturation"];

    /// <summary>Checks the PDF at <paramref name="path"/>; never throws for a bad file, whose faults are the findings.</summary>
    public static PdfAReport Check(string path)
    {
        var findings = new List<PdfAViolation>();
        var bytes = File.ReadAllBytes(path);
        CheckHeaderAndTail(bytes, findings);
        try
        {
            using var document = PdfPigDocument.Open(bytes, new ParsingOptions { UseLenientParsing = false, SkipMissingFonts = true, MaxStackDepth = 256 });
            new Walk(document.Structure, findings).Run();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            findings.Add(new("6.1", "The file must be a well-formed PDF.", $"it cannot be parsed strictly: {e.Message.Split('\n')[0]}"));
        }
        return new PdfAReport(findings);
    }

    /// <summary>6.1.2 (header and binary comment) and 6.1.3 (nothing after the last %%EOF but an end of line).</summary>
    private static void CheckHeaderAndTail(byte[] bytes, List<PdfAViolation> findings)
    {
        if (bytes.Length < 16 || !bytes.AsSpan().StartsWith("%PDF-1."u8) || bytes[7] is < (byte)'0' or > (byte)'7')
        {
            findings.Add(new("6.1.2", "The file must start with %PDF-1.n (n from 0 to 7) at byte 0.", "the header is missing or of another version"));
            return;
        }
        var lineEnd = bytes.AsSpan(0, Math.Min(bytes.Length, 64)).IndexOfAny((byte)'\r', (byte)'\n');
        var second = lineEnd < 0 ? -1 : lineEnd + (bytes[lineEnd] == '\r' && bytes[lineEnd + 1] == '\n' ? 2 : 1);
        if (second < 0 || bytes[second] != '%' || bytes.Skip(second + 1).Take(4).Any(b => b < 128))
        {
            findings.Add(new("6.1.2", "The header must be followed by a comment of at least four bytes of 128 or more.", "the binary comment line is missing"));
        }
        var tail = bytes.AsSpan(Math.Max(0, bytes.Length - 1024));
        var eof = tail.LastIndexOf("%%EOF"u8);
        var after = eof < 0 ? -1 : tail.Length - (eof + 5);
        if (eof < 0 || after > 2 || (after > 0 && !IsEndOfLine(tail[(eof + 5)..])))
        {
            findings.Add(new("6.1.3", "No data may follow the last %%EOF except a single end-of-line marker.", eof < 0 ? "there is no %%EOF" : $"{after} bytes follow it"));
        }
    }

    private static bool IsEndOfLine(ReadOnlySpan<byte> rest) => rest.SequenceEqual("\n"u8) || rest.SequenceEqual("\r"u8) || rest.SequenceEqual("\r\n"u8);

    /// <summary>One pass over the object graph.</summary>
    private sealed class Walk(Structure structure, List<PdfAViolation> findings)
    {
        private readonly HashSet<string> _reported = [];
        private int? _intentComponents;

        public void Run()
        {
            var trailer = structure.Trailer;
            if (trailer.EncryptionToken is not null)
            {
                Add("6.1.3", "The file must not be encrypted (no Encrypt key in the trailer).", "it is encrypted");
            }
            if (trailer.Identifier is not { Count: 2 })
            {
                Add("6.1.3", "The trailer must have an ID.", "the file identifier is missing");
            }
            var catalog = structure.Catalog.CatalogDictionary;
            CheckCatalog(catalog);
            var count = 0;
            foreach (var reference in structure.CrossReferenceTable.ObjectOffsets.Keys)
            {
                if (++count > MaxObjects)
                {
                    Add("6.1.13", $"The file must stay within PDF/A's limits; this check examines at most {MaxObjects:N0} objects.", "the file has more objects than that");
                    break;
                }
                if (reference.ObjectNumber > 8_388_607)
                {
                    Add("6.1.13", "Object numbers must not exceed 8,388,607.", $"object {reference.ObjectNumber} exists");
                }
                IToken token;
                try
                {
                    token = structure.GetObject(reference).Data;
                }
                catch (Exception e) when (e is PdfDocumentFormatException or InvalidOperationException or InvalidCastException or ArgumentException)
                {
                    Add("6.1", "Every object must be readable.", $"object {reference.ObjectNumber} cannot be read");
                    continue;
                }
                Visit(token, 0);
            }
        }

        private void CheckCatalog(DictionaryToken catalog)
        {
            foreach (var key in (string[])["AA", "Requirements"])
            {
                if (catalog.Data.ContainsKey(key))
                {
                    Add(key == "AA" ? "6.5.2" : "6.11", $"The catalog must not have a {key} entry.", $"it has /{key}");
                }
            }
            if (Resolve(catalog.Data.GetValueOrDefault("Names")) is DictionaryToken names)
            {
                if (names.Data.ContainsKey("JavaScript"))
                {
                    Add("6.5.1", "The document must not contain JavaScript.", "the Names dictionary has a JavaScript tree");
                }
                if (names.Data.ContainsKey("EmbeddedFiles"))
                {
                    Add("6.8", "Embedded files must themselves be PDF/A; this check cannot verify them, so it refuses them.", "the Names dictionary has EmbeddedFiles");
                }
                if (names.Data.ContainsKey("AlternatePresentations"))
                {
                    Add("6.10", "The Names dictionary must not have AlternatePresentations.", "it has them");
                }
            }
            if (catalog.Data.GetValueOrDefault("NeedsRendering") is BooleanToken { Data: true })
            {
                Add("6.4.2", "The catalog must not have NeedsRendering true (dynamic XFA).", "it does");
            }
            if (Resolve(catalog.Data.GetValueOrDefault("AcroForm")) is DictionaryToken form)
            {
                if (form.Data.ContainsKey("XFA"))
                {
                    Add("6.4.2", "The form must not contain XFA.", "the AcroForm has an XFA entry");
                }
                if (Resolve(form.Data.GetValueOrDefault("NeedAppearances")) is BooleanToken { Data: true })
                {
                    Add("6.4.1", "NeedAppearances must not be true.", "the AcroForm asks viewers to draw its fields");
                }
            }
            if (Resolve(catalog.Data.GetValueOrDefault("OCProperties")) is DictionaryToken optional)
            {
                var configurations = new List<IToken?> { optional.Data.GetValueOrDefault("D") };
                if (Resolve(optional.Data.GetValueOrDefault("Configs")) is ArrayToken configs)
                {
                    configurations.AddRange(configs.Data);
                }
                foreach (var configuration in configurations.Select(Resolve).OfType<DictionaryToken>())
                {
                    if (!configuration.Data.ContainsKey("Name") || configuration.Data.ContainsKey("AS"))
                    {
                        Add("6.9", "Each optional content configuration must have a Name and no AS entry.", "one does not");
                    }
                }
            }
            CheckOutputIntents(catalog);
            CheckMetadata(catalog);
        }

        private void CheckOutputIntents(DictionaryToken catalog)
        {
            var intents = Resolve(catalog.Data.GetValueOrDefault("OutputIntents")) as ArrayToken;
            var pdfa = intents?.Data.Select(Resolve).OfType<DictionaryToken>().FirstOrDefault(i => Name(i, "S") == "GTS_PDFA1");
            if (pdfa is null)
            {
                Add("6.2.3", "The catalog must have a GTS_PDFA1 output intent.", "there is none");
                return;
            }
            if (Resolve(pdfa.Data.GetValueOrDefault("DestOutputProfile")) is not StreamToken profile)
            {
                Add("6.2.3", "The PDF/A output intent must carry an ICC profile (DestOutputProfile).", "it has none");
                return;
            }
            byte[] icc;
            try
            {
                icc = profile.Decode(DefaultFilterProvider.Instance).ToArray();
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Add("6.2.3", "The output intent's ICC profile must be readable.", e.Message.Split('\n')[0]);
                return;
            }
            // ICC.1 header: size at 0, major version at 8, device class at 12, colour space at 16, "acsp" at 36.
            if (icc.Length < 128 || !icc.AsSpan(36, 4).SequenceEqual("acsp"u8))
            {
                Add("6.2.3", "The output intent's profile must be a valid ICC profile.", "its header has no acsp signature");
                return;
            }
            if (icc[8] >= 5)
            {
                Add("6.2.3", "The output intent's ICC profile must be version 2 or 4.", $"it is version {icc[8]}");
            }
            var deviceClass = Encoding.ASCII.GetString(icc, 12, 4);
            if (deviceClass is not ("mntr" or "prtr"))
            {
                Add("6.2.3", "The output intent's ICC profile must be an output (prtr) or monitor (mntr) profile.", $"its class is {deviceClass}");
            }
            _intentComponents = Encoding.ASCII.GetString(icc, 16, 4) switch { "RGB " => 3, "GRAY" => 1, "CMYK" => 4, _ => null };
            if (profile.StreamDictionary.Data.GetValueOrDefault("N") is NumericToken n && _intentComponents is { } components && n.Int != components)
            {
                Add("6.2.3", "The ICC profile's N must match its colour space.", $"N is {n.Int}, the profile has {components} components");
            }
        }

        private void CheckMetadata(DictionaryToken catalog)
        {
            if (Resolve(catalog.Data.GetValueOrDefault("Metadata")) is not StreamToken metadata)
            {
                Add("6.6.2.1", "The catalog must have an XMP Metadata stream.", "there is none");
                return;
            }
            if (metadata.StreamDictionary.Data.ContainsKey("Filter"))
            {
                Add("6.6.2.1", "The metadata stream must not be filtered.", "it has a Filter");
                return;
            }
            string? part = null, conformance = null;
            try
            {
                var xml = new XmlDocument { XmlResolver = null };
                using var reader = XmlReader.Create(new MemoryStream(metadata.Data.ToArray()),
                    new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = 16 << 20 });
                xml.Load(reader);
                const string pdfaid = "http://www.aiim.org/pdfa/ns/id/";
                foreach (XmlElement element in xml.GetElementsByTagName("*"))
                {
                    part ??= element.GetAttribute("part", pdfaid) is { Length: > 0 } p ? p : null;
                    conformance ??= element.GetAttribute("conformance", pdfaid) is { Length: > 0 } c ? c : null;
                    if (element.NamespaceURI == pdfaid && element.LocalName == "part")
                    {
                        part = element.InnerText.Trim();
                    }
                    if (element.NamespaceURI == pdfaid && element.LocalName == "conformance")
                    {
                        conformance = element.InnerText.Trim();
                    }
                }
            }
            catch (XmlException e)
            {
                Add("6.6.2.1", "The metadata must be well-formed XMP.", e.Message);
                return;
            }
            if (part != "2" || conformance is not ("B" or "U" or "A"))
            {
                Add("6.6.4", "The XMP metadata must identify the file as PDF/A-2 (pdfaid:part 2, pdfaid:conformance B).",
                    part is null ? "pdfaid:part is missing" : $"it says part {part}, conformance {conformance ?? "none"}");
            }
        }

        private void CheckStream(StreamToken stream)
        {
            var dictionary = stream.StreamDictionary;
            foreach (var key in (string[])["F", "FFilter", "FDecodeParms"])
            {
                if (dictionary.Data.ContainsKey(key))
                {
                    Add("6.1.7.1", "Streams must not refer to external files (F, FFilter, FDecodeParms).", $"a stream has /{key}");
                }
            }
            var filters = Resolve(dictionary.Data.GetValueOrDefault("Filter")) switch
            {
                NameToken name => [name.Data],
                ArrayToken array => array.Data.Select(Resolve).OfType<NameToken>().Select(n => n.Data).ToList(),
                _ => new List<string>(),
            };
            if (filters.Contains("LZWDecode"))
            {
                Add("6.1.7.2", "LZWDecode must not be used.", "a stream is LZW-compressed");
            }
            if (filters.Contains("Crypt"))
            {
                Add("6.1.7.2", "The Crypt filter must not be used.", "a stream uses it");
            }
        }

        private void CheckDictionary(DictionaryToken dictionary)
        {
            var type = Name(dictionary, "Type");
            var subtype = Name(dictionary, "Subtype");
            if (Name(dictionary, "S") is { } action && (dictionary.Data.ContainsKey("Next") || type == "Action" || ForbiddenActions.Contains(action) || action == "Named"))
            {
                CheckAction(dictionary, action);
            }
            if (dictionary.Data.ContainsKey("JS"))
            {
                Add("6.5.1", "The document must not contain JavaScript.", "an action carries JavaScript (JS)");
            }
            if (type == "Page" && dictionary.Data.ContainsKey("AA"))
            {
                Add("6.5.2", "A page must not have additional actions (AA).", "a page has /AA");
            }
            if (type == "Page" && dictionary.Data.ContainsKey("PresSteps"))
            {
                Add("6.10", "A page must not have PresSteps.", "a page has them");
            }
            if (Resolve(dictionary.Data.GetValueOrDefault("Group")) is DictionaryToken group && Name(group, "S") == "Transparency"
                && !group.Data.ContainsKey("CS") && _intentComponents is null && type == "Page")
            {
                Add("6.2.10", "A page with a transparency group needs a blending colour space (CS) when there is no output intent.", "a page's group has none");
            }
            if (type == "Annot" || (subtype is not null && dictionary.Data.ContainsKey("Rect") && (dictionary.Data.ContainsKey("P") || dictionary.Data.ContainsKey("F") || dictionary.Data.ContainsKey("AP"))))
            {
                CheckAnnotation(dictionary, subtype);
            }
            if (type == "Font" || (subtype is "Type0" or "Type1" or "TrueType" or "MMType1" or "CIDFontType0" or "CIDFontType2" && dictionary.Data.ContainsKey("BaseFont")))
            {
                CheckFont(dictionary, subtype);
            }
            if (type == "ExtGState" || dictionary.Data.ContainsKey("TR") || dictionary.Data.ContainsKey("TR2") || dictionary.Data.ContainsKey("HTP"))
            {
                CheckGraphicsState(dictionary);
            }
            if (subtype == "Image" || (type == "XObject" && subtype is null && dictionary.Data.ContainsKey("BitsPerComponent")))
            {
                CheckImage(dictionary);
            }
            if (subtype == "PS" || Name(dictionary, "Subtype2") == "PS")
            {
                Add("6.2.9", "PostScript XObjects must not be used.", "a PostScript XObject is present");
            }
            if (subtype == "Form" && dictionary.Data.ContainsKey("Ref"))
            {
                Add("6.2.9", "Reference XObjects must not be used.", "a form XObject has /Ref");
            }
            if (dictionary.Data.ContainsKey("OPI") && (subtype is "Form" or "Image"))
            {
                Add("6.2.9", "XObjects must not have OPI entries.", "one does");
            }
            if (type == "EmbeddedFile" || (dictionary.Data.ContainsKey("EF") && type is "Filespec" or null))
            {
                Add("6.8", "Embedded files must themselves be PDF/A; this check cannot verify them, so it refuses them.", "a file is embedded");
            }
        }

        private void CheckAction(DictionaryToken action, string kind)
        {
            if (ForbiddenActions.Contains(kind))
            {
                Add("6.5.1", $"{kind} actions are not allowed.", $"a {kind} action is present");
            }
            if (kind == "Named" && Name(action, "N") is { } name && !AllowedNamedActions.Contains(name))
            {
                Add("6.5.1", "Named actions other than NextPage, PrevPage, FirstPage and LastPage are not allowed.", $"a Named action {name} is present");
            }
        }

        private void CheckAnnotation(DictionaryToken annotation, string? subtype)
        {
            if (subtype is null)
            {
                return;
            }
            if (ForbiddenAnnotations.Contains(subtype) || !KnownAnnotations.Contains(subtype))
            {
                Add("6.3.1", "3D, Sound, Screen and Movie annotations, and types ISO 32000-1 does not define, are not allowed.", $"a {subtype} annotation is present");
            }
            if (subtype != "Popup")
            {
                var flags = Resolve(annotation.Data.GetValueOrDefault("F")) is NumericToken f ? f.Int : 0;
                // Print (4) set; Invisible (1), Hidden (2), NoView (32) and ToggleNoView (256) clear.
                if ((flags & 4) == 0 || (flags & (1 | 2 | 32 | 256)) != 0)
                {
                    Add("6.3.2", "Annotations must be printable and visible (F with Print set, Hidden, Invisible, NoView and ToggleNoView clear).",
                        $"a {subtype} annotation has flags {flags}");
                }
            }
            if (subtype is not ("Popup" or "Link") && HasArea(annotation))
            {
                if (Resolve(annotation.Data.GetValueOrDefault("AP")) is not DictionaryToken appearance)
                {
                    Add("6.3.3", "Every visible annotation other than Popup and Link must have an appearance stream.", $"a {subtype} annotation has none");
                }
                else if (appearance.Data.Keys.Any(k => k != "N"))
                {
                    Add("6.3.3", "An annotation's appearance dictionary must contain only the normal appearance (N).", $"a {subtype} annotation has {string.Join(", ", appearance.Data.Keys)}");
                }
            }
            if (subtype == "Widget" && (annotation.Data.ContainsKey("A") || annotation.Data.ContainsKey("AA")))
            {
                Add("6.4.1", "Form fields must not have actions (A or AA).", "a widget has one");
            }
        }

        private bool HasArea(DictionaryToken annotation)
        {
            if (Resolve(annotation.Data.GetValueOrDefault("Rect")) is not ArrayToken { Length: 4 } rect)
            {
                return true;
            }
            var v = rect.Data.Select(t => Resolve(t) is NumericToken n ? n.Double : 0).ToArray();
            return Math.Abs(v[2] - v[0]) > 0 && Math.Abs(v[3] - v[1]) > 0;
        }

        private void CheckFont(DictionaryToken font, string? subtype)
        {
            if (subtype is "Type3" or "Type0" or null)
            {
                return; // Type3 glyphs are content streams; a Type0's descendant is a font dictionary of its own
            }
            var name = Resolve(font.Data.GetValueOrDefault("BaseFont")) is NameToken n ? n.Data : "(unnamed)";
            if (Resolve(font.Data.GetValueOrDefault("FontDescriptor")) is not DictionaryToken descriptor
                || !(descriptor.Data.ContainsKey("FontFile") || descriptor.Data.ContainsKey("FontFile2") || descriptor.Data.ContainsKey("FontFile3")))
            {
                Add("6.2.11.4.1", "Every font must be embedded.", $"the font {name} is not");
            }
        }

        private void CheckGraphicsState(DictionaryToken state)
        {
            if (state.Data.ContainsKey("TR"))
            {
                Add("6.2.5", "Graphics states must not have transfer functions (TR).", "one has /TR");
            }
            if (state.Data.TryGetValue("TR2", out var tr2) && !(Resolve(tr2) is NameToken { Data: "Default" }))
            {
                Add("6.2.5", "TR2 may only be Default.", "a graphics state sets another");
            }
            if (state.Data.ContainsKey("HTP") || state.Data.ContainsKey("HTO"))
            {
                Add("6.2.5", "Graphics states must not have HTP or HTO.", "one does");
            }
            if (Name(state, "RI") is { } intent && !RenderingIntents.Contains(intent))
            {
                Add("6.2.5", "The rendering intent must be one of the four standard ones.", $"it is {intent}");
            }
            var blend = Resolve(state.Data.GetValueOrDefault("BM"));
            var modes = blend switch
            {
                NameToken single => [single.Data],
                ArrayToken array => array.Data.Select(Resolve).OfType<NameToken>().Select(m => m.Data).ToList(),
                _ => new List<string>(),
            };
            if (modes.FirstOrDefault(m => !BlendModes.Contains(m)) is { } unknown)
            {
                Add("6.2.10", "Blend modes must be those ISO 32000-1 defines.", $"a graphics state uses {unknown}");
            }
        }

        private void CheckImage(DictionaryToken image)
        {
            if (Resolve(image.Data.GetValueOrDefault("Interpolate")) is BooleanToken { Data: true })
            {
                Add("6.2.8", "Images must not have Interpolate true.", "an image asks for interpolation");
            }
            if (image.Data.ContainsKey("Alternates"))
            {
                Add("6.2.8", "Images must not have Alternates.", "an image has them");
            }
            if (Resolve(image.Data.GetValueOrDefault("BitsPerComponent")) is NumericToken bits && bits.Int is not (1 or 2 or 4 or 8 or 16))
            {
                Add("6.2.8", "Image BitsPerComponent must be 1, 2, 4, 8 or 16.", $"an image has {bits.Int}");
            }
            var space = Resolve(image.Data.GetValueOrDefault("ColorSpace")) is NameToken device ? device.Data : null;
            if (_intentComponents is { } intent && space is "DeviceRGB" or "DeviceCMYK"
                && (space == "DeviceRGB" ? intent != 3 : intent != 4))
            {
                Add("6.2.4.3", "A device colour space must match the output intent's profile.", $"an image is {space}, the output intent has {intent} component(s)");
            }
        }

        /// <summary>
        /// Checks one object and every direct object inside it (dictionaries and arrays nested in place: an action in a
        /// catalog, a font in a resource dictionary), with 6.1.13's limits on names, strings and integers on the way.
        /// Indirect references are not followed here: each indirect object is visited from the cross-reference table.
        /// </summary>
        private void Visit(IToken token, int depth)
        {
            if (depth > 64)
            {
                return;
            }
            switch (token)
            {
                case StreamToken stream:
                    CheckStream(stream);
                    Visit(stream.StreamDictionary, depth + 1);
                    break;
                case DictionaryToken dictionary:
                    CheckDictionary(dictionary);
                    foreach (var (key, value) in dictionary.Data)
                    {
                        CheckName(key);
                        Visit(value, depth + 1);
                    }
                    break;
                case ArrayToken array:
                    foreach (var item in array.Data)
                    {
                        Visit(item, depth + 1);
                    }
                    break;
                case NameToken name:
                    CheckName(name.Data);
                    break;
                case StringToken text when text.GetBytes().Length > 32_767:
                    Add("6.1.13", "Strings must be at most 32,767 bytes.", "a longer one is present");
                    break;
                case HexToken hex when hex.Memory.Length > 32_767:
                    Add("6.1.13", "Strings must be at most 32,767 bytes.", "a longer one is present");
                    break;
                case NumericToken number when !number.HasDecimalPlaces && (number.Long > int.MaxValue || number.Long < int.MinValue):
                    Add("6.1.13", "Integers must fit in 32 bits.", $"{number.Long.ToString(CultureInfo.InvariantCulture)} does not");
                    break;
            }
        }

        private void CheckName(string name)
        {
            if (Encoding.UTF8.GetByteCount(name) > 127)
            {
                Add("6.1.13", "Names must be at most 127 bytes.", $"a name is {Encoding.UTF8.GetByteCount(name)} bytes");
            }
        }

        private void Add(string clause, string rule, string detail)
        {
            if (_reported.Add(clause + rule))
            {
                findings.Add(new PdfAViolation(clause, rule, detail));
            }
        }

        private static string? Name(DictionaryToken dictionary, string key) =>
            dictionary.Data.GetValueOrDefault(key) is NameToken name ? name.Data : null;

        private IToken? Resolve(IToken? token)
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
}

/// <summary>One PDF/A rule a file breaks.</summary>
/// <param name="Clause">The clause of ISO 19005-2:2011, e.g. "6.2.11.4.1".</param>
/// <param name="Rule">The rule in words.</param>
/// <param name="Detail">What in this file breaks it.</param>
public sealed record PdfAViolation(string Clause, string Rule, string Detail)
{
    /// <inheritdoc />
    public override string ToString() => $"{Clause}: {Rule} ({Detail})";
}

/// <summary>The outcome of <see cref="PdfAConformance.Check"/>: conforming when no rule it checks is broken.</summary>
/// <param name="Violations">Each rule broken, once, in the order found.</param>
public sealed record PdfAReport(IReadOnlyList<PdfAViolation> Violations)
{
    /// <summary>True when no checked rule is broken.</summary>
    public bool Conforms => Violations.Count == 0;
}
