using DocEngine.Core.Signatures.Syntax;

namespace DocEngine.Core.Signatures.Changes;

/// <summary>
/// Annotations (ISO 32000-2 §12.5). Adding one is an annotation-level change (allowed after an approval signature and a
/// DocMDP P=3 certification), except that after a certification an annotation that can draw over the page — a FreeText,
/// a stamp, a shape, any annotation with its own appearance larger than an icon — is "other": the evil-annotation attack
/// (Mainka et al., IEEE S&amp;P 2021). Removing or re-drawing an annotation that was shown when the document was signed
/// is "other": it may have covered content, which is how the shadow "hide" attack reveals what the signer never saw.
/// Editing a comment's text, and anything about annotations nobody could see, is annotation-level.
/// </summary>
internal static class AnnotationRules
{
    private static readonly HashSet<string> CommentKeys = ["Contents", "M", "T", "NM", "CreationDate", "Subj", "State", "StateModel", "Open"];
    private static readonly HashSet<string> IconSubtypes = ["Text", "Caret", "FileAttachment", "Sound"];
    private static readonly HashSet<string> TextMarkupSubtypes = ["Highlight", "Underline", "StrikeOut", "Squiggly"];

    /// <summary>A page's /Annots array changed: annotations added, removed or re-ordered.</summary>
    public static void List(ChangeContext context, PdfArray? old, PdfArray? now, int page)
    {
        var before = old?.Items.OfType<PdfReference>().Select(r => r.Number).ToList() ?? [];
        var after = now?.Items.OfType<PdfReference>().Select(r => r.Number).ToList() ?? [];
        foreach (var removed in before.Except(after))
        {
            Removed(context, removed, context.Before.Resolve(new PdfReference(removed, 0)) as PdfDictionary, page);
        }
        foreach (var added in after.Except(before))
        {
            Added(context, added, page);
        }
        var kept = before.Intersect(after).ToList();
        if (!kept.SequenceEqual(after.Where(kept.Contains)))
        {
            context.Add(ModificationLevel.Annotations, ModificationLevel.Other, $"the annotations on page {page} were put in another order, which changes which is drawn on top");
        }
        var directBefore = old?.Items.OfType<PdfDictionary>().ToList() ?? [];
        var directAfter = now?.Items.OfType<PdfDictionary>().ToList() ?? [];
        foreach (var gone in directBefore.Where(d => !directAfter.Any(a => PdfObject.Same(a, d, context.File.Span))))
        {
            Removed(context, null, gone, page);
        }
        foreach (var added in directAfter.Where(d => !directBefore.Any(b => PdfObject.Same(b, d, context.File.Span))))
        {
            AddedAnnotation(context, added, page, "added");
        }
    }

    private static void Removed(ChangeContext context, int? number, PdfDictionary? annotation, int page)
    {
        if (number is { } n && context.Before.RoleOf(n).HasFlag(ObjectRole.Widget) || annotation?.Name("Subtype") == "Widget")
        {
            context.Other($"a form field's widget was removed from page {page}");
        }
        else if (annotation is not null && FormRules.IsVisible(context.Before, annotation) && annotation.Name("Subtype") != "Popup")
        {
            context.Other($"a {annotation.Name("Subtype") ?? "?"} annotation that was shown on page {page} when the document was signed was removed; it may have covered content (shadow attack)");
        }
        else
        {
            context.Add(ModificationLevel.Annotations, $"an annotation that was not shown was removed from page {page}");
        }
    }

    private static void Added(ChangeContext context, int number, int page)
    {
        if (context.After.Resolve(new PdfReference(number, 0)) is not PdfDictionary annotation)
        {
            context.Other($"object {number} was added to page {page}'s annotations but is not an annotation");
            return;
        }
        if (annotation.Name("Subtype") != "Widget")
        {
            AddedAnnotation(context, annotation, page, "added");
            return;
        }
        var field = context.After.FieldByNumber.GetValueOrDefault(number);
        if (field is null)
        {
            context.Other($"a widget that belongs to no form field was added on page {page}; it draws whatever its appearance holds");
        }
        else if (context.Before.Fields.Any(f => f.Name == field.Name))
        {
            context.Other($"form field \"{field.Name}\" was given another widget on page {page}");
        }
        else if (field.Type == "Sig")
        {
            FormRules.NewSignatureField(context, field);
        }
        else
        {
            context.Other($"a new form field \"{field.Name}\" was added on page {page}");
        }
    }

    private static void AddedAnnotation(ChangeContext context, PdfDictionary annotation, int page, string how)
    {
        var subtype = annotation.Name("Subtype") ?? "?";
        if (CanCover(context.After, annotation))
        {
            context.Add(ModificationLevel.Annotations, ModificationLevel.Other,
                $"a {subtype} annotation was {how} on page {page}; it can draw over what was signed, which after a certification is the evil-annotation attack");
        }
        else
        {
            context.Add(ModificationLevel.Annotations, $"a {subtype} annotation was {how} on page {page}");
        }
    }

    /// <summary>An existing annotation (not a widget) whose dictionary changed.</summary>
    public static void Annotation(ChangeContext context, int number, PdfDictionary old, PdfDictionary? now)
    {
        var page = Describe.PageOf(context.Before, number);
        var subtype = old.Name("Subtype") ?? "?";
        if (now is null)
        {
            context.Other($"a {subtype} annotation on page {page} was replaced by something that is not an annotation");
            return;
        }
        var wasShown = FormRules.IsVisible(context.Before, old) && subtype != "Popup";
        var isShown = FormRules.IsVisible(context.After, now) && subtype != "Popup";
        foreach (var key in context.ChangedKeys(old, now))
        {
            if (CommentKeys.Contains(key) || subtype == "Popup" && key == "Rect")
            {
                context.Add(ModificationLevel.Annotations, $"the text or state of a {subtype} annotation on page {page} was edited");
            }
            else if (key == "StructParent")
            {
                context.Add(ModificationLevel.None, $"an annotation on page {page} was linked to the structure tree (tagging)");
            }
            else if (!wasShown && isShown)
            {
                AddedAnnotation(context, now, page, "made visible");
            }
            else if (wasShown)
            {
                context.Other($"a {subtype} annotation that was shown on page {page} when the document was signed was changed (/{key}); what it covered may now show (shadow attack)");
            }
            else
            {
                context.Add(ModificationLevel.Annotations, $"a {subtype} annotation on page {page} that is not shown was changed");
            }
        }
    }

    /// <summary>
    /// Whether an annotation can hide what is under it: visible, and not a small icon, an appearance-less text markup
    /// or link (readers draw those see-through or not at all), or a text markup whose appearance blends (multiply, or
    /// less than full opacity).
    /// </summary>
    public static bool CanCover(DocumentStructure structure, PdfDictionary annotation)
    {
        if (!FormRules.IsVisible(structure, annotation))
        {
            return false;
        }
        var subtype = annotation.Name("Subtype") ?? "";
        var hasAppearance = annotation["AP"] is not null;
        if (subtype == "Popup" || subtype == "Link" && !hasAppearance)
        {
            return false;
        }
        if (IconSubtypes.Contains(subtype) && (!hasAppearance || Size(structure, annotation) <= 64))
        {
            return false;
        }
        if (TextMarkupSubtypes.Contains(subtype))
        {
            return hasAppearance && !Blends(structure, annotation);
        }
        return true;
    }

    private static double Size(DocumentStructure structure, PdfDictionary annotation)
    {
        var rect = (structure.Resolve(annotation["Rect"]) as PdfArray)?.Items.Select(i => (structure.Resolve(i) as PdfNumber)?.Value ?? 0).ToArray();
        return rect is { Length: 4 } r ? Math.Max(Math.Abs(r[2] - r[0]), Math.Abs(r[3] - r[1])) : 0;
    }

    private static bool Blends(DocumentStructure structure, PdfDictionary annotation)
    {
        var normal = (structure.Resolve(annotation["AP"]) as PdfDictionary)?["N"];
        var resources = (structure.Resolve(normal) as PdfDictionary)?["Resources"];
        var states = (structure.Resolve(resources) as PdfDictionary)?["ExtGState"];
        if (structure.Resolve(states) is not PdfDictionary graphicsStates)
        {
            return false;
        }
        return graphicsStates.Entries.Values.Select(structure.Resolve).OfType<PdfDictionary>().Any(gs =>
            gs.Name("BM") is "Multiply" or "Darken" || (structure.Resolve(gs["ca"]) as PdfNumber)?.Value < 1);
    }
}
