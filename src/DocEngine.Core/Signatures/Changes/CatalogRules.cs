using System.Text.RegularExpressions;
using DocEngine.Core.Signatures.Syntax;

namespace DocEngine.Core.Signatures.Changes;

/// <summary>
/// The document catalog and the trailer. Only the entries signing, filling in, archiving and tagging touch may change
/// (pyHanko's exempt catalog keys /AcroForm, /DSS, /Extensions, /Metadata, /MarkInfo, /Version; plus the structure tree
/// and Acrobat's private /PieceInfo); any other entry — pages, actions, names, outlines, layers, permissions — is "other".
/// A catalog moved to another object is compared entry by entry, as pyHanko and DSS do.
/// </summary>
internal static partial class CatalogRules
{
    public static void Compare(ChangeContext context, PdfDictionary old, PdfDictionary? now)
    {
        if (now is null)
        {
            context.Other("the document catalog was replaced by something that is not a catalog");
            return;
        }
        foreach (var key in context.ChangedKeys(old, now))
        {
            var (before, after) = (old[key], now[key]);
            switch (key)
            {
                case "AcroForm":
                    FormRules.AcroForm(context, context.Before.Resolve(before) as PdfDictionary, context.After.Resolve(after) as PdfDictionary);
                    break;
                case "DSS":
                    ArchivalRules.Dss(context, before, after);
                    break;
                case "Metadata" when after is not null:
                    MetadataRules.Check(context, after);
                    break;
                case "Extensions":
                    ArchivalRules.Extensions(context, after);
                    break;
                case "Version" when after is PdfName { Value: var version } && VersionPattern().IsMatch(version):
                    context.Add(ModificationLevel.Archival, $"the document's declared PDF version was set to {version}");
                    break;
                case "MarkInfo" or "StructTreeRoot":
                    TaggingRules.CatalogEntry(context, key, before, after);
                    break;
                case "PieceInfo":
                    context.Add(ModificationLevel.None, "an application's private data (/PieceInfo) was updated; it is not displayed");
                    break;
                default:
                    context.Other($"the document catalog's /{key} was {(after is null ? "removed" : before is null ? "added" : "changed")}{Consequence(key)}");
                    break;
            }
        }
    }

    private static string Consequence(string key) => key switch
    {
        "Pages" => " (which pages the document has)",
        "OpenAction" or "AA" => " (what runs when the document opens)",
        "Names" => " (named destinations, scripts or attachments)",
        "OCProperties" => " (which layers of the pages are shown)",
        "Outlines" => " (the bookmarks)",
        "Perms" => " (the document's signature permissions)",
        _ => "",
    };

    [GeneratedRegex(@"^[12]\.[0-9]$")]
    private static partial Regex VersionPattern();
}

/// <summary>The trailer: a new catalog object, new encryption, new document information.</summary>
internal static class TrailerRules
{
    public static void Compare(ChangeContext context)
    {
        var old = context.File.Revisions[context.Revision - 1].Trailer;
        var now = context.File.Revisions[context.Revision].Trailer;
        if (!SameReference(old["Root"], now["Root"]))
        {
            // pyHanko and DSS compare catalogs by content: a catalog moved to a new object is judged by what differs.
            CatalogRules.Compare(context, context.Before.Catalog, context.After.Catalog);
        }
        if (!PdfObject.Same(old["Encrypt"], now["Encrypt"], context.File.Span))
        {
            context.Other("the encryption settings were changed");
        }
        if (!SameReference(old["Info"], now["Info"]))
        {
            context.Add(ModificationLevel.None, "the document information (title, dates) was updated; it is not displayed as content");
        }
    }

    private static bool SameReference(PdfObject? a, PdfObject? b) =>
        (a, b) is (PdfReference x, PdfReference y) ? x.Number == y.Number && x.Generation == y.Generation : a is null && b is null;
}
