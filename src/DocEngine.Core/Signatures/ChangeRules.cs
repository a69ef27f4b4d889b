using DocEngine.Core.Signatures.Syntax;

namespace DocEngine.Core.Signatures;

/// <summary>
/// The rules that say what a change to one existing object amounts to, by the object's role in the earlier revision.
/// Every rule is a whitelist: a key or an object it does not name is "other".
/// </summary>
internal static class ChangeRules
{
    private static readonly HashSet<string> FormFillingFieldKeys = ["V", "AP", "AS", "MK", "DA"];
    private static readonly HashSet<string> FormFillingAcroFormKeys = ["SigFlags", "NeedAppearances", "DA", "DR"];
    private static readonly HashSet<string> ExtensionKeys = ["BaseVersion", "ExtensionLevel", "ExtensionRevision", "URL"];

    public static void Classify(ChangeContext context, int number, PdfObject old, PdfObject now)
    {
        var role = context.Before.RoleOf(number);
        if (role.HasFlag(ObjectRole.SignatureValue) || IsSignatureDictionary(old))
        {
            var keys = ChangedKeys(context, old, now);
            context.Add(ModificationLevel.Other, $"a signature dictionary was altered after signing (changed: {string.Join(", ", keys.Select(k => "/" + k))})");
        }
        else if (role.HasFlag(ObjectRole.Catalog))
        {
            Catalog(context, (PdfDictionary)old, now as PdfDictionary);
        }
        else if (role.HasFlag(ObjectRole.AcroForm))
        {
            AcroForm(context, old as PdfDictionary, now as PdfDictionary);
        }
        else if (role.HasFlag(ObjectRole.Field) || role.HasFlag(ObjectRole.Widget))
        {
            Field(context, number, (PdfDictionary)old, now as PdfDictionary);
        }
        else if (role.HasFlag(ObjectRole.Page))
        {
            Page(context, number, (PdfDictionary)old, now as PdfDictionary);
        }
        else if (role.HasFlag(ObjectRole.AnnotsArray))
        {
            Annotations(context, old as PdfArray, now as PdfArray, PageOf(context.Before, number));
        }
        else if (role.HasFlag(ObjectRole.FieldList))
        {
            FieldList(context, old as PdfArray, now as PdfArray);
        }
        else if (role.HasFlag(ObjectRole.Annotation))
        {
            context.Add(ModificationLevel.Annotations, $"an annotation ({(old as PdfDictionary)?.Name("Subtype") ?? "?"}) was edited");
        }
        else if (role.HasFlag(ObjectRole.Appearance))
        {
            Appearance(context, number);
        }
        else if (role.HasFlag(ObjectRole.FormResources))
        {
            context.Add(ModificationLevel.FormFilling, "the form's default resources (fonts for filled-in text) were updated");
        }
        else if (role.HasFlag(ObjectRole.Archival))
        {
            context.Add(ModificationLevel.Archival, "validation data (certificates, revocation data) was added to the document security store");
        }
        else if (role.HasFlag(ObjectRole.Info) || role.HasFlag(ObjectRole.Metadata))
        {
            context.Add(ModificationLevel.None, "the document information (title, dates) was updated; it is not displayed as content");
        }
        else
        {
            context.Add(ModificationLevel.Other, $"{Describe(context.Before, number, old)} was replaced");
        }
    }

    /// <summary>Names what an object is, for a sentence.</summary>
    public static string Describe(DocumentStructure structure, int number, PdfObject value)
    {
        var role = structure.RoleOf(number);
        if (role.HasFlag(ObjectRole.PagesNode))
        {
            return "the page tree";
        }
        if (role.HasFlag(ObjectRole.Page))
        {
            return $"page {PageOf(structure, number)}";
        }
        if (structure.FieldByNumber.TryGetValue(number, out var field))
        {
            return $"form field \"{field.Name}\"";
        }
        return value switch
        {
            PdfStream s when s.Name("Subtype") == "Image" => $"an image (object {number})",
            PdfStream s when s.Name("Subtype") == "Form" => $"a drawn XObject (object {number})",
            PdfStream s when s.Name("Type") is null && s["Length"] is not null && s.Entries.Count <= 3 => $"page content (object {number})",
            PdfStream => $"a stream (object {number})",
            PdfDictionary d when d.Name("Type") == "Font" => $"a font (object {number})",
            PdfDictionary d when d.Name("Type") == "OCG" => $"a layer (optional content, object {number})",
            PdfDictionary d when d.Name("Type") is { } type => $"a /{type} object ({number})",
            _ => $"object {number}",
        };
    }

    public static int PageOf(DocumentStructure structure, int number)
    {
        for (var i = 0; i < structure.Pages.Count; i++)
        {
            if (structure.Pages[i] == number || (structure.Resolve(new PdfReference(structure.Pages[i] ?? -1, 0)) as PdfDictionary)?["Annots"] is PdfReference r && r.Number == number)
            {
                return i + 1;
            }
        }
        return 0;
    }

    private static PdfObject? Get(PdfDictionary? dictionary, string key) => dictionary?[key];

    private static bool IsDocumentTimestamp(PdfObject? value) =>
        value is PdfDictionary d && (d.Name("Type") == "DocTimeStamp" || d.Name("SubFilter") == "ETSI.RFC3161");

    private static bool IsSignatureDictionary(PdfObject value) =>
        value is PdfDictionary d && (d.Name("Type") is "Sig" or "DocTimeStamp" || d["ByteRange"] is not null && d["Contents"] is not null);

    private static List<string> ChangedKeys(ChangeContext context, PdfObject old, PdfObject? now)
    {
        if (old is not PdfDictionary a || now is not PdfDictionary b)
        {
            return ["the whole object"];
        }
        return a.Entries.Keys.Union(b.Entries.Keys).Where(k => !PdfObject.Same(a[k], b[k], context.File.Span)).Order(StringComparer.Ordinal).ToList();
    }

    private static void Catalog(ChangeContext context, PdfDictionary old, PdfDictionary? now)
    {
        foreach (var key in ChangedKeys(context, old, now))
        {
            switch (key)
            {
                case "AcroForm" when old["AcroForm"] is PdfDictionary || Get(now, "AcroForm") is PdfDictionary:
                    AcroForm(context, context.Before.Resolve(old["AcroForm"]) as PdfDictionary, context.After.Resolve(Get(now, "AcroForm")) as PdfDictionary);
                    break;
                case "DSS":
                    context.Add(ModificationLevel.Archival, "validation data (a document security store) was added");
                    break;
                case "Metadata":
                    context.Add(ModificationLevel.None, "the document's XMP metadata was updated; it is not displayed as content");
                    break;
                case "Extensions" when IsPlainExtensions(Get(now, "Extensions")):
                    context.Add(ModificationLevel.Archival, "the document's declared extensions (e.g. ESIC for PAdES) were updated");
                    break;
                default:
                    context.Add(ModificationLevel.Other, $"the document catalog's /{key} was changed");
                    break;
            }
        }
    }

    private static bool IsPlainExtensions(PdfObject? value) =>
        value is PdfDictionary extensions && extensions.Entries.Values.All(e =>
            e is PdfDictionary d && d.Entries.All(x => ExtensionKeys.Contains(x.Key) && x.Value is not PdfReference and not PdfArray and not PdfDictionary)
            || e is PdfArray array && array.Items.All(i => i is PdfDictionary id && id.Entries.All(x => ExtensionKeys.Contains(x.Key) && x.Value is not PdfReference and not PdfArray and not PdfDictionary)));

    private static void AcroForm(ChangeContext context, PdfDictionary? old, PdfDictionary? now)
    {
        if (old is null || now is null)
        {
            // A form dictionary appearing for a first signature is signing; losing it is not.
            var onlySignatures = now is not null && context.After.Fields.All(f => f.Type == "Sig");
            context.Add(onlySignatures ? ModificationLevel.FormFilling : ModificationLevel.Other,
                onlySignatures ? "a form was created to hold a new signature field" : "the document's form was replaced or removed");
            return;
        }
        foreach (var key in ChangedKeys(context, old, now))
        {
            if (key == "Fields")
            {
                FieldList(context, context.Before.Resolve(old["Fields"]) as PdfArray, context.After.Resolve(now["Fields"]) as PdfArray);
            }
            else if (FormFillingAcroFormKeys.Contains(key))
            {
                context.Add(ModificationLevel.FormFilling, $"the form's /{key} was updated, as signing or filling in does");
            }
            else
            {
                context.Add(ModificationLevel.Other, $"the form's /{key} was changed");
            }
        }
    }

    private static void FieldList(ChangeContext context, PdfArray? old, PdfArray? now)
    {
        var before = ReferencesIn(old);
        var after = ReferencesIn(now);
        foreach (var removed in before.Except(after))
        {
            context.Add(ModificationLevel.Other, $"{Describe(context.Before, removed, PdfNull.Instance)} was removed from the form");
        }
        foreach (var added in after.Except(before))
        {
            AddedWidgetOrField(context, added, 0);
        }
    }

    private static void AddedWidgetOrField(ChangeContext context, int number, int page)
    {
        var field = context.After.FieldByNumber.GetValueOrDefault(number);
        var value = context.File.Get(number, context.Revision) as PdfDictionary;
        if (field is null || value is null)
        {
            if (value?.Name("Subtype") is { } subtype && subtype != "Widget")
            {
                context.Add(ModificationLevel.Annotations, page > 0 ? $"a {subtype} annotation was added on page {page}" : $"a {subtype} annotation was added");
                return;
            }
            context.Add(ModificationLevel.Other, $"object {number} was added to the form or a page as something other than a signature field or annotation");
            return;
        }
        if (field.Type != "Sig")
        {
            context.Add(ModificationLevel.Other, $"a new form field \"{field.Name}\" was added");
            return;
        }
        if (IsDocumentTimestamp(context.After.Resolve(field.Dictionary["V"])))
        {
            // ISO 32000-2 §12.8.2.2.2: document time-stamps (like the DSS) are not changes DocMDP restricts.
            context.Add(ModificationLevel.Archival, $"a document time-stamp was added in a new field \"{field.Name}\"");
            return;
        }
        // A visible new signature field draws whatever its appearance holds on the page ("sneaky signature" attack):
        // it is more than signing, so it counts as an annotation-level change.
        var visible = field.Widgets.Any(w => IsVisible(context.After.Resolve(w.Widget["Rect"]) as PdfArray));
        context.Add(visible ? ModificationLevel.Annotations : ModificationLevel.FormFilling,
            visible ? $"a new visible signature field \"{field.Name}\" was added" : $"a new signature field \"{field.Name}\" was added");
    }

    private static bool IsVisible(PdfArray? rect)
    {
        if (rect is not { Items.Count: 4 } || rect.Items.Any(i => i is not PdfNumber))
        {
            return false;
        }
        var v = rect.Items.Cast<PdfNumber>().Select(n => n.Value).ToArray();
        return Math.Abs(v[2] - v[0]) > 0.5 && Math.Abs(v[3] - v[1]) > 0.5;
    }

    private static HashSet<int> ReferencesIn(PdfArray? array) =>
        array?.Items.OfType<PdfReference>().Select(r => r.Number).ToHashSet() ?? [];

    private static void Field(ChangeContext context, int number, PdfDictionary old, PdfDictionary? now)
    {
        var field = context.Before.FieldByNumber.GetValueOrDefault(number);
        var name = field?.Name ?? $"object {number}";
        var isSignature = field?.Type == "Sig";
        foreach (var key in ChangedKeys(context, old, now))
        {
            switch (key)
            {
                case "V" when isSignature && old["V"] is null or PdfNull && IsDocumentTimestamp(context.After.Resolve(Get(now, "V"))):
                    context.Add(ModificationLevel.Archival, $"a document time-stamp was added in field \"{name}\"");
                    break;
                case "V" when isSignature && old["V"] is null or PdfNull:
                    context.Add(ModificationLevel.FormFilling, $"signature field \"{name}\" was signed");
                    context.ChangedFields.Add(name);
                    break;
                case "V" when isSignature:
                    context.Add(ModificationLevel.Other, $"the signature in field \"{name}\" was replaced");
                    break;
                case "V":
                    context.Add(ModificationLevel.FormFilling, $"form field \"{name}\" was filled in");
                    context.ChangedFields.Add(name);
                    break;
                case "F" when OnlyFlagsAdded(old["F"], Get(now, "F"), LockFlags):
                    context.Add(ModificationLevel.FormFilling, $"the widget of form field \"{name}\" was locked against editing, as signing does");
                    break;
                case "Ff" when OnlyFlagsAdded(old["Ff"], Get(now, "Ff"), 1):
                    context.Add(ModificationLevel.FormFilling, $"form field \"{name}\" was made read-only, as signing does");
                    break;
                case "Kids":
                    FieldList(context, context.Before.Resolve(old["Kids"]) as PdfArray, context.After.Resolve(Get(now, "Kids")) as PdfArray);
                    break;
                case "AP" or "AS" when isSignature && old["V"] is not (null or PdfNull):
                    context.Add(ModificationLevel.Other, $"the appearance of the already signed field \"{name}\" was replaced");
                    break;
                case var k when FormFillingFieldKeys.Contains(k):
                    context.Add(ModificationLevel.FormFilling, $"the appearance of form field \"{name}\" was updated");
                    context.ChangedFields.Add(name);
                    break;
                default:
                    context.Add(ModificationLevel.Other, $"form field \"{name}\": /{key} was changed");
                    break;
            }
        }
    }

    /// <summary>Annotation flags ReadOnly, Locked and LockedContents (§12.5.3): readers set them when a field is signed.</summary>
    private const long LockFlags = 64 | 128 | 512;

    private static bool OnlyFlagsAdded(PdfObject? old, PdfObject? now, long allowed)
    {
        var before = (old as PdfNumber)?.AsLong ?? 0;
        var after = (now as PdfNumber)?.AsLong ?? 0;
        return (after & before) == before && ((after & ~before) & ~allowed) == 0;
    }

    private static void Page(ChangeContext context, int number, PdfDictionary old, PdfDictionary? now)
    {
        var page = PageOf(context.Before, number);
        foreach (var key in ChangedKeys(context, old, now))
        {
            if (key == "Annots")
            {
                Annotations(context, context.Before.Resolve(old["Annots"]) as PdfArray, context.After.Resolve(Get(now, "Annots")) as PdfArray, page);
            }
            else
            {
                context.Add(ModificationLevel.Other, $"page {page}: /{key} was changed{(key is "Contents" or "Resources" ? " (what the page shows)" : "")}");
            }
        }
    }

    private static void Annotations(ChangeContext context, PdfArray? old, PdfArray? now, int page)
    {
        var before = ReferencesIn(old);
        var after = ReferencesIn(now);
        foreach (var removed in before.Except(after))
        {
            var widget = context.Before.RoleOf(removed).HasFlag(ObjectRole.Widget);
            context.Add(widget ? ModificationLevel.Other : ModificationLevel.Annotations,
                widget ? $"a form field's widget was removed from page {page}" : $"an annotation was removed from page {page}");
        }
        foreach (var added in after.Except(before))
        {
            AddedWidgetOrField(context, added, page);
        }
        var directBefore = old?.Items.Count(i => i is not PdfReference) ?? 0;
        var directAfter = now?.Items.Count(i => i is not PdfReference) ?? 0;
        if (directBefore != directAfter)
        {
            context.Add(ModificationLevel.Annotations, $"an annotation was added or removed on page {page}");
        }
    }

    private static void Appearance(ChangeContext context, int number)
    {
        var owners = context.Before.AppearanceOwners.GetValueOrDefault(number) ?? [];
        if (owners.Count == 1 && context.ReferencesTo(number) <= 1)
        {
            var owner = owners[0];
            if (context.Before.FieldByNumber.TryGetValue(owner, out var field) && field.Type == "Sig" && field.Dictionary["V"] is not (null or PdfNull))
            {
                context.Add(ModificationLevel.Other, $"the appearance of the already signed field \"{field.Name}\" was redrawn");
            }
            else if (field is not null)
            {
                context.Add(ModificationLevel.FormFilling, $"the appearance of form field \"{field.Name}\" was redrawn");
                context.ChangedFields.Add(field.Name);
            }
            else
            {
                context.Add(ModificationLevel.Annotations, "the appearance of an annotation was redrawn");
            }
            return;
        }
        context.Add(ModificationLevel.Other, $"an appearance stream (object {number}) that is also used elsewhere was overwritten");
    }
}
