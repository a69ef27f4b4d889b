using System.Text.RegularExpressions;
using DocEngine.Core.Signatures.Syntax;

namespace DocEngine.Core.Signatures;

/// <summary>What an object is for in one revision, so a change to it can be classified.</summary>
[Flags]
internal enum ObjectRole
{
    None = 0,
    Catalog = 1 << 0,
    PagesNode = 1 << 1,
    Page = 1 << 2,
    AnnotsArray = 1 << 3,
    Annotation = 1 << 4,
    Widget = 1 << 5,
    Field = 1 << 6,
    FieldList = 1 << 7,
    Appearance = 1 << 8,
    SignatureValue = 1 << 9,
    AcroForm = 1 << 10,
    FormResources = 1 << 11,
    Archival = 1 << 12,
    Info = 1 << 13,
    Metadata = 1 << 14,
}

/// <summary>A form field: its fully qualified name (§12.7.4.2) and inherited type.</summary>
internal sealed record FormField(string Name, string? Type, int? Number, PdfDictionary Dictionary, List<(int? Number, PdfDictionary Widget)> Widgets);

/// <summary>
/// The parts of one revision that signature analysis reasons about: catalog, page tree, annotations, the form's fields
/// and widgets, appearance streams, signature values, the DSS. Walks are bounded in depth and count.
/// </summary>
internal sealed partial class DocumentStructure
{
    private const int MaxNodes = 200_000;
    private readonly PdfFile _file;
    private readonly int _revision;
    private readonly Dictionary<int, ObjectRole> _roles = [];
    private int _visits;

    public DocumentStructure(PdfFile file, int revision)
    {
        _file = file;
        _revision = revision;
        var trailer = file.Revisions[revision].Trailer;
        CatalogNumber = (trailer["Root"] as PdfReference)?.Number;
        Catalog = Resolve(trailer["Root"]) as PdfDictionary ?? throw new PdfSyntaxException("the document has no catalog (/Root)");
        Mark(trailer["Root"], ObjectRole.Catalog);
        Mark(trailer["Info"], ObjectRole.Info);
        Mark(Catalog["Metadata"], ObjectRole.Metadata);
        WalkPages(Catalog["Pages"], 0, []);
        WalkForm();
        WalkArchival();
    }

    public int? CatalogNumber { get; }

    public PdfDictionary Catalog { get; }

    public PdfDictionary? AcroForm { get; private set; }

    public List<int?> Pages { get; } = [];

    public List<FormField> Fields { get; } = [];

    /// <summary>Annotations by page (1-based), with their object numbers when indirect.</summary>
    public List<(int Page, int? Number, PdfDictionary Annotation)> Annotations { get; } = [];

    /// <summary>For each appearance stream or appearance dictionary, the objects (annotations, widgets) whose /AP names it.</summary>
    public Dictionary<int, List<int>> AppearanceOwners { get; } = [];

    /// <summary>Field objects (and merged widgets) by object number.</summary>
    public Dictionary<int, FormField> FieldByNumber { get; } = [];

    public ObjectRole RoleOf(int number) => _roles.GetValueOrDefault(number);

    public PdfObject? Resolve(PdfObject? value) => _file.Resolve(value, _revision);

    private void Mark(PdfObject? value, ObjectRole role)
    {
        if (value is PdfReference reference)
        {
            _roles[reference.Number] = _roles.GetValueOrDefault(reference.Number) | role;
        }
    }

    private bool Visit()
    {
        return ++_visits <= MaxNodes;
    }

    private void WalkPages(PdfObject? node, int depth, HashSet<int> seen)
    {
        if (depth > 64 || !Visit() || node is PdfReference r && !seen.Add(r.Number) || Resolve(node) is not PdfDictionary dictionary)
        {
            return;
        }
        if (dictionary["Kids"] is { } kids && dictionary.Name("Type") != "Page")
        {
            Mark(node, ObjectRole.PagesNode);
            if (Resolve(kids) is PdfArray array)
            {
                foreach (var kid in array.Items)
                {
                    WalkPages(kid, depth + 1, seen);
                }
            }
            return;
        }
        Mark(node, ObjectRole.Page);
        Pages.Add((node as PdfReference)?.Number);
        Mark(dictionary["Annots"], ObjectRole.AnnotsArray);
        if (Resolve(dictionary["Annots"]) is not PdfArray annots)
        {
            return;
        }
        foreach (var item in annots.Items.Take(10_000))
        {
            if (Resolve(item) is not PdfDictionary annotation)
            {
                continue;
            }
            var number = (item as PdfReference)?.Number;
            Annotations.Add((Pages.Count, number, annotation));
            Mark(item, annotation.Name("Subtype") == "Widget" ? ObjectRole.Widget : ObjectRole.Annotation);
            MarkAppearance(annotation, number);
        }
    }

    private void MarkAppearance(PdfDictionary annotation, int? owner)
    {
        if (Resolve(annotation["AP"]) is not PdfDictionary appearances)
        {
            return;
        }
        Mark(annotation["AP"], ObjectRole.Appearance);
        AddOwner(annotation["AP"], owner);
        foreach (var state in appearances.Entries.Values)
        {
            Mark(state, ObjectRole.Appearance);
            AddOwner(state, owner);
            if (state is PdfReference && Resolve(state) is PdfStream)
            {
                continue;
            }
            if (Resolve(state) is PdfDictionary states and not PdfStream)
            {
                foreach (var stream in states.Entries.Values)
                {
                    Mark(stream, ObjectRole.Appearance);
                    AddOwner(stream, owner);
                }
            }
        }
    }

    private void AddOwner(PdfObject? value, int? owner)
    {
        if (value is PdfReference reference && owner is { } o)
        {
            if (!AppearanceOwners.TryGetValue(reference.Number, out var owners))
            {
                AppearanceOwners[reference.Number] = owners = [];
            }
            if (!owners.Contains(o))
            {
                owners.Add(o);
            }
        }
    }

    private void WalkForm()
    {
        var acroForm = Catalog["AcroForm"];
        Mark(acroForm, ObjectRole.AcroForm);
        AcroForm = Resolve(acroForm) as PdfDictionary;
        if (AcroForm is null)
        {
            return;
        }
        Mark(AcroForm["Fields"], ObjectRole.FieldList);
        Mark(AcroForm["DR"], ObjectRole.FormResources);
        if (Resolve(AcroForm["DR"]) is PdfDictionary resources)
        {
            foreach (var category in resources.Entries.Values)
            {
                Mark(category, ObjectRole.FormResources);
            }
        }
        if (Resolve(AcroForm["Fields"]) is PdfArray fields)
        {
            foreach (var field in fields.Items)
            {
                WalkField(field, "", null, 0, []);
            }
        }
    }

    private void WalkField(PdfObject? node, string parentName, string? parentType, int depth, HashSet<int> seen)
    {
        if (depth > 32 || !Visit() || node is PdfReference r && !seen.Add(r.Number) || Resolve(node) is not PdfDictionary field)
        {
            return;
        }
        var number = (node as PdfReference)?.Number;
        var partial = (Resolve(field["T"]) as PdfString)?.Text;
        var name = partial is null ? parentName : parentName.Length == 0 ? partial : parentName + "." + partial;
        var type = field.Name("FT") ?? parentType;
        var kids = Resolve(field["Kids"]) as PdfArray;
        Mark(node, ObjectRole.Field);
        Mark(field["Kids"], ObjectRole.FieldList);
        var formField = new FormField(name, type, number, field, []);
        if (kids is null || kids.Items.Count == 0)
        {
            formField.Widgets.Add((number, field));
            Mark(node, ObjectRole.Widget);
            MarkAppearance(field, number);
        }
        else
        {
            foreach (var kid in kids.Items)
            {
                if (Resolve(kid) is PdfDictionary child && child["T"] is null)
                {
                    // A kid without /T is a widget of this field (§12.7.4.1).
                    formField.Widgets.Add(((kid as PdfReference)?.Number, child));
                    Mark(kid, ObjectRole.Widget | ObjectRole.Field);
                    MarkAppearance(child, (kid as PdfReference)?.Number);
                    if (kid is PdfReference k)
                    {
                        FieldByNumber.TryAdd(k.Number, formField);
                    }
                }
                else
                {
                    WalkField(kid, name, type, depth + 1, seen);
                }
            }
        }
        if (partial is null && kids is not null && formField.Widgets.Count == 0)
        {
            return;
        }
        Fields.Add(formField);
        if (number is { } n)
        {
            FieldByNumber.TryAdd(n, formField);
        }
        if (type == "Sig")
        {
            Mark(field["V"], ObjectRole.SignatureValue);
        }
    }

    private void WalkArchival()
    {
        // The DSS (ETSI EN 319 142-1 §5.4) and everything in it only adds validation material.
        Mark(Catalog["DSS"], ObjectRole.Archival);
        if (Resolve(Catalog["DSS"]) is not PdfDictionary dss)
        {
            return;
        }
        foreach (var (key, value) in dss.Entries)
        {
            Mark(value, ObjectRole.Archival);
            if (Resolve(value) is PdfArray array)
            {
                foreach (var item in array.Items)
                {
                    Mark(item, ObjectRole.Archival);
                }
            }
            else if (key == "VRI" && Resolve(value) is PdfDictionary vri)
            {
                foreach (var entry in vri.Entries.Values)
                {
                    Mark(entry, ObjectRole.Archival);
                    if (Resolve(entry) is PdfDictionary record)
                    {
                        foreach (var part in record.Entries.Values)
                        {
                            Mark(part, ObjectRole.Archival);
                            if (Resolve(part) is PdfArray items)
                            {
                                items.Items.ForEach(i => Mark(i, ObjectRole.Archival));
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Field names people give to signature boxes, in several languages.</summary>
    [GeneratedRegex(@"sign|signat|firma|unterschrift|assinatura|podpis|handtekening", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex SignatureLikeName();
}
