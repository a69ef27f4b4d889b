using DocEngine.Core.Signatures.Syntax;

namespace DocEngine.Core.Signatures.Changes;

/// <summary>
/// The interactive form (ISO 32000-2 §12.7): what filling in and signing may change, after pyHanko's FormUpdatingRule,
/// SigFieldCreationRule, SigFieldModificationRule and GenericFieldModificationRule. Field values and their appearances
/// are form filling; an empty signature field may be signed; a new signature field may be added, but a visible one is
/// refused once a certification is in force (the sneaky-signature attack). Removing fields, adding non-signature
/// fields, touching a signed field, and any key these rules do not name are "other".
/// </summary>
internal static class FormRules
{
    /// <summary>Annotation flags Print, ReadOnly, Locked and LockedContents (§12.5.3): readers set them when a field is signed.</summary>
    private const long LockFlags = 4 | 64 | 128 | 512;
    private static readonly HashSet<string> FormKeysSigningTouches = ["DA", "DR", "SigFlags", "NeedAppearances", "Q"];
    private static readonly HashSet<string> AppearanceKeys = ["AP", "AS", "MK", "DA", "Q"];

    public static void AcroForm(ChangeContext context, PdfDictionary? old, PdfDictionary? now)
    {
        if (now is null)
        {
            if (old is not null)
            {
                context.Other("the document's form was removed");
            }
            return;
        }
        old ??= new PdfDictionary([]);
        foreach (var key in context.ChangedKeys(old, now))
        {
            if (key == "Fields")
            {
                FieldList(context, context.Before.Resolve(old["Fields"]) as PdfArray, context.After.Resolve(now["Fields"]) as PdfArray);
            }
            else if (FormKeysSigningTouches.Contains(key))
            {
                context.Add(context.AddsDocumentTimestamp ? ModificationLevel.Archival : ModificationLevel.FormFilling,
                    $"the form's /{key} was updated, as signing or filling in does");
            }
            else
            {
                context.Other($"the form's /{key} was changed{(key == "XFA" ? " (the XFA form, which some readers show instead of the pages)" : "")}");
            }
        }
    }

    /// <summary>A list of fields (/Fields, or a field's /Kids): fields may be added, never removed.</summary>
    public static void FieldList(ChangeContext context, PdfArray? old, PdfArray? now)
    {
        var before = References(old);
        var after = References(now);
        foreach (var removed in before.Except(after))
        {
            context.Other($"{Describe.Object(context.Before, removed, PdfNull.Instance)} was removed from the form");
        }
        foreach (var added in after.Except(before))
        {
            AddedField(context, added);
        }
        if ((old?.Items.Count(i => i is not PdfReference) ?? 0) != (now?.Items.Count(i => i is not PdfReference) ?? 0))
        {
            context.Other("a form field written directly into a field list was added or removed");
        }
    }

    private static void AddedField(ChangeContext context, int number)
    {
        var field = context.After.FieldByNumber.GetValueOrDefault(number);
        if (field is null)
        {
            context.Other($"object {number} was added to the form as something other than a form field");
        }
        else if (context.Before.Fields.Any(f => f.Name == field.Name))
        {
            context.Other($"form field \"{field.Name}\" was given another widget or moved in the form");
        }
        else if (field.Type != "Sig")
        {
            context.Other($"a new form field \"{field.Name}\" was added");
        }
        else
        {
            NewSignatureField(context, field);
        }
    }

    /// <summary>
    /// A signature field the earlier revision did not have. An invisible one holding a document time-stamp is archival;
    /// another invisible one is form filling; a visible one draws whatever its appearance holds on the page, so after a
    /// certification it is "other" (Mainka et al., "Breaking the Specification: PDF Certification", IEEE S&amp;P 2021; pyHanko).
    /// </summary>
    public static void NewSignatureField(ChangeContext context, FormField field)
    {
        var visible = field.Widgets.Any(w => IsVisible(context.After, w.Widget));
        var value = context.After.Resolve(field.Dictionary["V"]);
        if (!visible && ChangeContext.IsDocumentTimestamp(value))
        {
            context.Add(ModificationLevel.Archival, $"a document time-stamp was added in a new field \"{field.Name}\"");
        }
        else if (visible)
        {
            context.Add(ModificationLevel.FormFilling, ModificationLevel.Other,
                $"a new visible signature field \"{field.Name}\" was added{(value is PdfDictionary ? " and signed" : "")}; after a certification its appearance could cover the certified content (sneaky signature)");
        }
        else
        {
            context.Add(ModificationLevel.FormFilling, $"a new signature field \"{field.Name}\" was added{(value is PdfDictionary ? " and signed" : "")}");
        }
    }

    /// <summary>An existing field (or one of its widgets) whose dictionary changed.</summary>
    public static void Field(ChangeContext context, int number, PdfDictionary old, PdfDictionary? now)
    {
        var field = context.Before.FieldByNumber.GetValueOrDefault(number);
        var name = field?.Name ?? $"object {number}";
        var isSignature = field?.Type == "Sig";
        var signedBefore = isSignature && context.Before.Resolve(field!.Dictionary["V"]) is PdfDictionary;
        var signingNow = isSignature && context.SignedNow.Contains(name);
        foreach (var key in context.ChangedKeys(old, now))
        {
            switch (key)
            {
                case "V" when isSignature:
                    SignatureValue(context, name, signedBefore, now);
                    break;
                case "V":
                    context.Add(ModificationLevel.FormFilling, $"form field \"{name}\" was filled in");
                    context.ChangedFields.Add(name);
                    break;
                case var k when AppearanceKeys.Contains(k) && isSignature && signingNow:
                    context.Add(ModificationLevel.FormFilling, $"the appearance of signature field \"{name}\" was drawn as it was signed");
                    break;
                case var k when AppearanceKeys.Contains(k) && isSignature:
                    context.Other(signedBefore
                        ? $"the appearance of the already signed field \"{name}\" was replaced"
                        : $"the appearance of the empty signature field \"{name}\" was changed without signing it");
                    break;
                case var k when AppearanceKeys.Contains(k):
                    context.Add(ModificationLevel.FormFilling, $"the appearance of form field \"{name}\" was updated");
                    context.ChangedFields.Add(name);
                    break;
                case "F" when OnlyFlagsAdded(old["F"], now?["F"], LockFlags):
                    context.Add(ModificationLevel.FormFilling, $"the widget of form field \"{name}\" was locked against editing, as signing does");
                    break;
                case "Ff" when OnlyFlagsAdded(old["Ff"], now?["Ff"], 1):
                    context.Add(ModificationLevel.FormFilling, $"form field \"{name}\" was made read-only, as signing does");
                    break;
                case "Type" when old["Type"] is null && now?.Name("Type") == "Annot":
                    context.Add(ModificationLevel.None, $"form field \"{name}\" was labelled an annotation (/Type /Annot)");
                    break;
                case "StructParent":
                    context.Add(ModificationLevel.None, $"form field \"{name}\" was linked to the structure tree (tagging)");
                    break;
                case "Kids":
                    FieldList(context, context.Before.Resolve(old["Kids"]) as PdfArray, context.After.Resolve(now?["Kids"]) as PdfArray);
                    break;
                case "F":
                    context.Other($"the widget of form field \"{name}\" was hidden, shown or otherwise re-flagged (/F)");
                    break;
                default:
                    context.Other($"form field \"{name}\": /{key} was changed");
                    break;
            }
        }
    }

    private static void SignatureValue(ChangeContext context, string name, bool signedBefore, PdfDictionary? now)
    {
        var value = context.After.Resolve(now?["V"]);
        if (signedBefore)
        {
            context.Other(value is null ? $"the signature in field \"{name}\" was removed" : $"the signature in field \"{name}\" was replaced");
        }
        else if (value is not PdfDictionary)
        {
            context.Other($"signature field \"{name}\" was given a value that is not a signature");
        }
        else if (ChangeContext.IsDocumentTimestamp(value))
        {
            // ISO 32000-2 §12.8.2.2.2: document time-stamps, like the DSS, are not changes DocMDP restricts. One drawn
            // on the page changes the field's appearance too, which the appearance rules judge as form filling.
            context.Add(ModificationLevel.Archival, $"a document time-stamp was added in field \"{name}\"");
        }
        else
        {
            context.Add(ModificationLevel.FormFilling, $"signature field \"{name}\" was signed");
            context.ChangedFields.Add(name);
        }
    }

    /// <summary>Whether a widget or annotation has an area on the page and is not hidden (flags Hidden, NoView: §12.5.3).</summary>
    public static bool IsVisible(DocumentStructure structure, PdfDictionary annotation)
    {
        var flags = (structure.Resolve(annotation["F"]) as PdfNumber)?.AsLong ?? 0;
        if ((flags & (2 | 32)) != 0)
        {
            return false;
        }
        if (structure.Resolve(annotation["Rect"]) is not PdfArray { Items.Count: 4 } rect || rect.Items.Any(i => structure.Resolve(i) is not PdfNumber))
        {
            return false;
        }
        var v = rect.Items.Select(i => ((PdfNumber)structure.Resolve(i)!).Value).ToArray();
        return Math.Abs(v[2] - v[0]) > 0.5 && Math.Abs(v[3] - v[1]) > 0.5;
    }

    private static bool OnlyFlagsAdded(PdfObject? old, PdfObject? now, long allowed)
    {
        var before = (old as PdfNumber)?.AsLong ?? 0;
        var after = (now as PdfNumber)?.AsLong ?? 0;
        return (after & before) == before && ((after & ~before) & ~allowed) == 0;
    }

    public static HashSet<int> References(PdfArray? array) =>
        array?.Items.OfType<PdfReference>().Select(r => r.Number).ToHashSet() ?? [];
}
