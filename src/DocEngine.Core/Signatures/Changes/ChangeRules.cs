using DocEngine.Core.Signatures.Syntax;

namespace DocEngine.Core.Signatures.Changes;

/// <summary>
/// Decides what a change to one existing object amounts to, by what the object was used for in the earlier revision.
/// An object used in several ways is judged by the strictest: a font that both the page and the form's default
/// resources use is page content. Every rule is a whitelist: a key or an object it does not name is "other".
/// </summary>
internal static class ChangeRules
{
    private const ObjectRole AppearanceOnly = ObjectRole.AppearanceDict | ObjectRole.AppearanceStream;

    public static void Classify(ChangeContext context, int number, PdfObject old, PdfObject now, ObjectRole roles)
    {
        if (roles.HasFlag(ObjectRole.SignatureValue))
        {
            var keys = context.ChangedKeys(old, now);
            context.Other($"a signature dictionary was altered after signing (changed: {string.Join(", ", keys.Select(k => "/" + k))})");
        }
        else if (roles.HasFlag(ObjectRole.Catalog))
        {
            CatalogRules.Compare(context, (PdfDictionary)old, now as PdfDictionary);
        }
        else if (roles.HasFlag(ObjectRole.Encrypt))
        {
            context.Other("the encryption settings were changed");
        }
        else if (roles.HasFlag(ObjectRole.PagesNode))
        {
            context.Other("the page tree was replaced");
        }
        else if (roles.HasFlag(ObjectRole.Page))
        {
            Page(context, number, (PdfDictionary)old, now as PdfDictionary);
        }
        else if (roles.HasFlag(ObjectRole.PageContent))
        {
            context.Other($"{Describe.Object(context.Before, number, old)} was replaced, which changes what a page shows");
        }
        else if (roles.HasFlag(ObjectRole.Document))
        {
            context.Other($"{Describe.Object(context.Before, number, old)}, part of the document's outline, names, actions or layers, was changed");
        }
        else if (roles.HasFlag(ObjectRole.FormOther) || roles.HasFlag(ObjectRole.SignatureFieldPart))
        {
            context.Other($"{Describe.Object(context.Before, number, old)}, part of the form's actions, calculation or field locks, was changed");
        }
        else if (roles.HasFlag(ObjectRole.AppearanceContent))
        {
            context.Other($"{Describe.Object(context.Before, number, old)}, which appearances draw with, was overwritten");
        }
        else if (roles.HasFlag(ObjectRole.Field) || roles.HasFlag(ObjectRole.Widget))
        {
            FormRules.Field(context, number, (PdfDictionary)old, now as PdfDictionary);
        }
        else if (roles.HasFlag(ObjectRole.Annotation))
        {
            AnnotationRules.Annotation(context, number, (PdfDictionary)old, now as PdfDictionary);
        }
        else if (roles.HasFlag(ObjectRole.AnnotsArray))
        {
            AnnotationRules.List(context, old as PdfArray, now as PdfArray, Describe.PageOfAnnots(context.Before, number));
        }
        else if (roles.HasFlag(ObjectRole.FieldList))
        {
            FormRules.FieldList(context, old as PdfArray, now as PdfArray);
        }
        else if (roles.HasFlag(ObjectRole.AcroForm))
        {
            FormRules.AcroForm(context, old as PdfDictionary, now as PdfDictionary);
        }
        else if ((roles & AppearanceOnly) != 0)
        {
            Appearance(context, number, roles);
        }
        else if (roles.HasFlag(ObjectRole.AnnotationPart))
        {
            context.Other($"part of an annotation (its action, border or style; object {number}) was changed");
        }
        else if (roles.HasFlag(ObjectRole.FieldValue))
        {
            foreach (var field in OwnerFields(context, number))
            {
                context.Add(ModificationLevel.FormFilling, $"form field \"{field}\" was filled in");
                context.ChangedFields.Add(field);
            }
        }
        else if (roles.HasFlag(ObjectRole.FormResources))
        {
            context.Add(context.AddsDocumentTimestamp ? ModificationLevel.Archival : ModificationLevel.FormFilling,
                "the form's default resources (fonts for filled-in text) were updated");
        }
        else if (roles.HasFlag(ObjectRole.StructTree))
        {
            TaggingRules.Changed(context, old, now);
        }
        else if (roles.HasFlag(ObjectRole.Archival))
        {
            ArchivalRules.Changed(context, number, old, now);
        }
        else if (roles.HasFlag(ObjectRole.Extensions))
        {
            ArchivalRules.Extensions(context, now);
        }
        else if (roles.HasFlag(ObjectRole.Metadata))
        {
            MetadataRules.Check(context, new PdfReference(number, 0));
        }
        else if (roles.HasFlag(ObjectRole.Info))
        {
            context.Add(ModificationLevel.None, "the document information (title, dates) was updated; it is not displayed as content");
        }
        else
        {
            context.Add(ModificationLevel.None, $"object {number}, which nothing in the signed revision used, was rewritten");
        }
    }

    private static void Page(ChangeContext context, int number, PdfDictionary old, PdfDictionary? now)
    {
        var page = Describe.PageOf(context.Before, number);
        foreach (var key in context.ChangedKeys(old, now))
        {
            switch (key)
            {
                case "Annots":
                    AnnotationRules.List(context, context.Before.Resolve(old["Annots"]) as PdfArray, context.After.Resolve(now?["Annots"]) as PdfArray, page);
                    break;
                case "StructParents":
                    context.Add(ModificationLevel.None, $"page {page} was linked to the structure tree (tagging)");
                    break;
                default:
                    context.Other($"page {page}: /{key} was changed{(key is "Contents" or "Resources" ? " (what the page shows)" : "")}");
                    break;
            }
        }
    }

    /// <summary>
    /// An appearance stream (or appearance dictionary) rewritten in place: allowed as form filling when exactly one
    /// field's widget shows it and nothing else uses it (pyHanko's in-place appearance rule); otherwise it changes
    /// something else too (the sneaky update).
    /// </summary>
    private static void Appearance(ChangeContext context, int number, ObjectRole roles)
    {
        var owners = context.Before.Roles.Owners(number);
        if (owners.Count != 1 || (roles & ~AppearanceOnly) != 0)
        {
            context.Other($"an appearance stream (object {number}) that is also used elsewhere was overwritten");
            return;
        }
        var owner = owners.First();
        if (!context.Before.FieldByNumber.TryGetValue(owner, out var field))
        {
            context.Other($"the appearance of an annotation on page {Describe.PageOf(context.Before, owner)} that was shown when the document was signed was redrawn");
        }
        else if (field.Type != "Sig")
        {
            context.Add(ModificationLevel.FormFilling, $"the appearance of form field \"{field.Name}\" was redrawn");
            context.ChangedFields.Add(field.Name);
        }
        else if (context.SignedNow.Contains(field.Name))
        {
            context.Add(ModificationLevel.FormFilling, $"the appearance of signature field \"{field.Name}\" was drawn as it was signed");
        }
        else
        {
            var signed = context.Before.Resolve(field.Dictionary["V"]) is PdfDictionary;
            context.Other(signed
                ? $"the appearance of the already signed field \"{field.Name}\" was redrawn"
                : $"the appearance of the empty signature field \"{field.Name}\" was redrawn without signing it");
        }
    }

    private static IEnumerable<string> OwnerFields(ChangeContext context, int number)
    {
        var names = context.Before.Roles.Owners(number).Select(o => context.Before.FieldByNumber.GetValueOrDefault(o)?.Name).OfType<string>().ToList();
        return names.Count > 0 ? names : [$"object {number}"];
    }
}
