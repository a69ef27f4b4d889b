using DocEngine.Core.Signatures.Syntax;

namespace DocEngine.Core.Signatures.Changes;

/// <summary>What an object is used for in one revision. An object can have several; the strictest decides (see <see cref="ChangeRules"/>).</summary>
[Flags]
internal enum ObjectRole
{
    None = 0,
    Catalog = 1 << 0,
    Info = 1 << 1,
    Encrypt = 1 << 2,
    PagesNode = 1 << 3,
    Page = 1 << 4,
    /// <summary>Reached from a page's (or page-tree node's) /Contents, /Resources or other entries: what the page shows.</summary>
    PageContent = 1 << 5,
    AnnotsArray = 1 << 6,
    Annotation = 1 << 7,
    Widget = 1 << 8,
    /// <summary>Reached from an annotation's entries other than /AP: actions, border styles, popups' data.</summary>
    AnnotationPart = 1 << 9,
    AppearanceDict = 1 << 10,
    AppearanceStream = 1 << 11,
    /// <summary>Reached from an appearance stream: its fonts, images, nested forms.</summary>
    AppearanceContent = 1 << 12,
    AcroForm = 1 << 13,
    FieldList = 1 << 14,
    Field = 1 << 15,
    /// <summary>An indirect /V or /DV of a non-signature field.</summary>
    FieldValue = 1 << 16,
    /// <summary>The form's default resources (/DR) and what they reach.</summary>
    FormResources = 1 << 17,
    /// <summary>Other parts of the form: /CO, /XFA, field actions.</summary>
    FormOther = 1 << 18,
    /// <summary>A signature dictionary (a signature field's /V, /Perms) and everything it reaches.</summary>
    SignatureValue = 1 << 19,
    /// <summary>A signature field's /Lock or /SV (seed value) dictionary.</summary>
    SignatureFieldPart = 1 << 20,
    /// <summary>The document security store (DSS) and what it reaches.</summary>
    Archival = 1 << 21,
    Metadata = 1 << 22,
    /// <summary>The structure tree (tagging) and /MarkInfo.</summary>
    StructTree = 1 << 23,
    Extensions = 1 << 24,
    /// <summary>Anything else the catalog reaches: outlines, names, actions, optional content, page labels…</summary>
    Document = 1 << 25,
}

/// <summary>
/// Every object reachable from one revision's trailer, with what it is used for and, for appearances and field values,
/// which annotation or field owns it. Back-references (/Parent, /P, /Pg, /IRT, /Prev, /Last) are not followed, so an
/// object's roles are the ways a reader reaches it going down. Walks are bounded in depth and count.
/// </summary>
internal sealed class RoleMap
{
    private const int MaxVisits = 1_000_000;
    private static readonly HashSet<string> BackReferences = ["Parent", "P", "Pg", "IRT", "Prev", "Last"];
    private readonly PdfFile _file;
    private readonly int _revision;
    private readonly Dictionary<int, ObjectRole> _roles = [];
    private readonly Dictionary<int, HashSet<int>> _owners = [];
    private readonly HashSet<(int, ObjectRole)> _visited = [];
    private int _visits;

    public RoleMap(PdfFile file, int revision, DocumentStructure structure)
    {
        _file = file;
        _revision = revision;
        var trailer = file.Revisions[revision].Trailer;
        Visit(trailer["Info"], ObjectRole.Info, null, 0);
        Visit(trailer["Encrypt"], ObjectRole.Encrypt, null, 0);
        Visit(trailer["Root"], ObjectRole.Catalog, null, 0);
        foreach (var field in structure.Fields)
        {
            Field(field);
        }
    }

    public ObjectRole this[int number] => _roles.GetValueOrDefault(number);

    /// <summary>The annotations or fields whose /AP (or /V) reaches <paramref name="number"/>.</summary>
    public IReadOnlyCollection<int> Owners(int number) => _owners.TryGetValue(number, out var owners) ? owners : [];

    private PdfObject? Resolve(PdfObject? value) => _file.Resolve(value, _revision);

    /// <summary>
    /// Marks a reference with a role (and owner); true when its contents should be walked: this (object, role) is new,
    /// or it gained an owner, so an appearance shared by two annotations reaches its streams from both.
    /// </summary>
    private bool Mark(PdfObject? value, ObjectRole role, int? owner)
    {
        if (value is not PdfReference reference)
        {
            return true;
        }
        _roles[reference.Number] = _roles.GetValueOrDefault(reference.Number) | role;
        var newOwner = false;
        if (owner is { } o)
        {
            if (!_owners.TryGetValue(reference.Number, out var owners))
            {
                _owners[reference.Number] = owners = [];
            }
            newOwner = owners.Add(o);
        }
        return (_visited.Add((reference.Number, role)) || newOwner) && ++_visits <= MaxVisits;
    }

    private void Visit(PdfObject? value, ObjectRole role, int? owner, int depth)
    {
        if (value is null || depth > PdfParser.MaxDepth || !Mark(value, role, owner))
        {
            return;
        }
        PdfObject? resolved;
        try
        {
            resolved = Resolve(value);
        }
        catch (PdfSyntaxException)
        {
            return; // unreadable: its role is recorded, its contents cannot be walked
        }
        if (resolved is PdfDictionary { Duplicates: { } duplicates })
        {
            // A key written twice: some readers use the later value, so what it reaches is used too.
            var duplicateRole = role is ObjectRole.Catalog ? ObjectRole.Document : role is ObjectRole.Page or ObjectRole.PagesNode ? ObjectRole.PageContent : role;
            foreach (var (_, duplicate) in duplicates)
            {
                Visit(duplicate, duplicateRole, owner, depth + 1);
            }
        }
        switch (role)
        {
            case ObjectRole.Catalog when resolved is PdfDictionary catalog:
                Catalog(catalog, depth);
                break;
            case ObjectRole.PagesNode when resolved is PdfDictionary node:
                PageTreeNode(value, node, depth);
                break;
            case ObjectRole.AnnotsArray when resolved is PdfArray annotations:
                foreach (var item in annotations.Items)
                {
                    var isWidget = (Resolve(item) as PdfDictionary)?.Name("Subtype") == "Widget";
                    Visit(item, isWidget ? ObjectRole.Widget : ObjectRole.Annotation, null, depth + 1);
                }
                break;
            case ObjectRole.Annotation or ObjectRole.Widget when resolved is PdfDictionary annotation:
                Annotation(value, annotation, depth);
                break;
            case ObjectRole.AppearanceDict when resolved is PdfDictionary appearances:
                foreach (var state in appearances.Entries.Values)
                {
                    var isStream = Resolve(state) is PdfStream;
                    Visit(state, isStream ? ObjectRole.AppearanceStream : ObjectRole.AppearanceDict, owner, depth + 1);
                }
                break;
            case ObjectRole.AppearanceStream:
                Children(resolved, ObjectRole.AppearanceContent, depth);
                break;
            case ObjectRole.AcroForm when resolved is PdfDictionary form:
                foreach (var (key, entry) in form.Entries)
                {
                    Visit(entry, key switch { "Fields" => ObjectRole.FieldList, "DR" => ObjectRole.FormResources, _ => ObjectRole.FormOther }, null, depth + 1);
                }
                break;
            case ObjectRole.FieldList or ObjectRole.Field:
                break; // fields are walked from the form's field tree (see Field), which knows names and types
            default:
                Children(resolved, role, depth);
                break;
        }
    }

    /// <summary>Walks a container's values with the same role, without following back-references or descending into pages.</summary>
    private void Children(PdfObject? value, ObjectRole role, int depth)
    {
        switch (value)
        {
            case PdfDictionary dictionary:
                foreach (var (key, entry) in dictionary.Entries)
                {
                    if (!BackReferences.Contains(key) && !(role == ObjectRole.StructTree && key == "Obj"))
                    {
                        VisitChild(entry, role, depth);
                    }
                }
                break;
            case PdfArray array:
                foreach (var item in array.Items)
                {
                    VisitChild(item, role, depth);
                }
                break;
        }
    }

    private void VisitChild(PdfObject entry, ObjectRole role, int depth)
    {
        if (entry is PdfReference && Resolve(entry) is PdfDictionary { } target && target.Name("Type") is "Page" or "Pages")
        {
            Mark(entry, role, null); // a link to a page: the page is walked from the page tree
            return;
        }
        Visit(entry, role, null, depth + 1);
    }

    private void Catalog(PdfDictionary catalog, int depth)
    {
        foreach (var (key, entry) in catalog.Entries)
        {
            var role = key switch
            {
                "Pages" => ObjectRole.PagesNode,
                "AcroForm" => ObjectRole.AcroForm,
                "DSS" => ObjectRole.Archival,
                "Metadata" => ObjectRole.Metadata,
                "StructTreeRoot" or "MarkInfo" => ObjectRole.StructTree,
                "Extensions" => ObjectRole.Extensions,
                "Perms" => ObjectRole.SignatureValue,
                _ => ObjectRole.Document,
            };
            Visit(entry, role, null, depth + 1);
        }
    }

    private void PageTreeNode(PdfObject reference, PdfDictionary node, int depth)
    {
        var isPage = node.Name("Type") == "Page" || node["Kids"] is null;
        if (isPage && reference is PdfReference r)
        {
            _roles[r.Number] = (_roles[r.Number] & ~ObjectRole.PagesNode) | ObjectRole.Page;
        }
        foreach (var (key, entry) in node.Entries)
        {
            switch (key)
            {
                case "Parent":
                    break;
                case "Kids" when !isPage:
                    Mark(entry, ObjectRole.PagesNode, null);
                    if (Resolve(entry) is PdfArray kids)
                    {
                        foreach (var kid in kids.Items)
                        {
                            Visit(kid, ObjectRole.PagesNode, null, depth + 1);
                        }
                    }
                    break;
                case "Annots" when isPage:
                    Visit(entry, ObjectRole.AnnotsArray, null, depth + 1);
                    break;
                case "Metadata":
                    Visit(entry, ObjectRole.Metadata, null, depth + 1);
                    break;
                default:
                    Visit(entry, ObjectRole.PageContent, null, depth + 1);
                    break;
            }
        }
    }

    private void Annotation(PdfObject reference, PdfDictionary annotation, int depth)
    {
        var owner = (reference as PdfReference)?.Number;
        foreach (var (key, entry) in annotation.Entries)
        {
            switch (key)
            {
                case "AP":
                    Visit(entry, ObjectRole.AppearanceDict, owner, depth + 1);
                    break;
                case "Popup":
                    Visit(entry, ObjectRole.Annotation, null, depth + 1);
                    break;
                case "Metadata":
                    Visit(entry, ObjectRole.Metadata, null, depth + 1);
                    break;
                case var k when BackReferences.Contains(k):
                    break;
                case "V" or "DV" or "Kids" or "Lock" or "SV" or "Opt":
                    break; // a widget merged with its field: the field walk classifies these
                default:
                    Visit(entry, ObjectRole.AnnotationPart, null, depth + 1);
                    break;
            }
        }
    }

    /// <summary>A form field (terminal or not) from the field tree: its kids, value, signature parts and actions.</summary>
    private void Field(FormField field)
    {
        if (field.Number is { } number)
        {
            _roles[number] = _roles.GetValueOrDefault(number) | ObjectRole.Field;
        }
        foreach (var (widgetNumber, _) in field.Widgets)
        {
            if (widgetNumber is { } w)
            {
                _roles[w] = _roles.GetValueOrDefault(w) | ObjectRole.Widget;
            }
        }
        var owner = field.Number;
        foreach (var (key, entry) in field.Dictionary.Entries)
        {
            switch (key)
            {
                case "Kids":
                    Mark(entry, ObjectRole.FieldList, null);
                    break;
                case "V" when field.Type == "Sig":
                    Visit(entry, ObjectRole.SignatureValue, null, 1);
                    break;
                case "V" or "DV" or "RV":
                    Visit(entry, ObjectRole.FieldValue, owner, 1);
                    break;
                case "Lock" or "SV":
                    Visit(entry, ObjectRole.SignatureFieldPart, null, 1);
                    break;
                case "AP":
                    Visit(entry, ObjectRole.AppearanceDict, owner, 1);
                    break;
                case "A" or "AA" or "Opt":
                    Visit(entry, ObjectRole.FormOther, null, 1);
                    break;
            }
        }
        foreach (var (widgetNumber, widget) in field.Widgets)
        {
            if (widget["AP"] is { } appearance && !ReferenceEquals(widget, field.Dictionary))
            {
                Visit(appearance, ObjectRole.AppearanceDict, widgetNumber, 1);
            }
        }
    }
}
