using DocEngine.Core.Signatures.Syntax;

namespace DocEngine.Core.Signatures.Changes;

/// <summary>
/// One change an update made: its level after an approval signature, its level once a certification is in force (the
/// sneaky-signature and evil-annotation rules make some changes stricter there), and one sentence for the report.
/// </summary>
internal readonly record struct Change(ModificationLevel Level, ModificationLevel Certified, string Sentence);

/// <summary>What one incremental update changed, and which form fields' values or appearances it changed (for FieldMDP).</summary>
internal sealed record RevisionChanges(IReadOnlyList<Change> Changes, HashSet<string> ChangedFields);

/// <summary>
/// Compares each revision with the one before it, object by object, and classifies every change by what the changed
/// object was used for in the earlier revision (the rule table in Signatures/README.md; after pyHanko's difference
/// analysis, EU DSS's object-modification categories and ISO 32000-2 §12.8.2.2). Anything not positively recognised as
/// allowed is "other". Rewriting an object unchanged, or adding objects nothing uses, changes nothing; new objects are
/// judged through the change that makes something use them.
/// </summary>
internal sealed class DifferenceAnalysis(PdfFile file, CancellationToken cancellationToken)
{
    private readonly Dictionary<int, DocumentStructure> _structures = [];

    public DocumentStructure Structure(int revision)
    {
        if (!_structures.TryGetValue(revision, out var structure))
        {
            _structures[revision] = structure = new DocumentStructure(file, revision);
        }
        return structure;
    }

    /// <summary>The changes revision <paramref name="revision"/> made to revision <paramref name="revision"/> − 1.</summary>
    public RevisionChanges Analyse(int revision)
    {
        var context = new ChangeContext(file, revision, Structure(revision - 1), Structure(revision));
        Revisions(context);
        TrailerRules.Compare(context);
        foreach (var number in file.ChangedIn(revision))
        {
            cancellationToken.ThrowIfCancellationRequested();
            Compare(context, number);
        }
        return new RevisionChanges(context.Changes, context.ChangedFields);
    }

    private void Revisions(ChangeContext context)
    {
        var after = file.Revisions[context.Revision];
        if (after.Reconstructed)
        {
            context.Other("the cross-reference data written after signing is damaged, so which objects a reader shows is guesswork (DocEngine rebuilt it by scanning)");
        }
        foreach (var number in after.Conflicts.Distinct().Take(5))
        {
            if (!file.Revisions[context.Revision - 1].Conflicts.Contains(number))
            {
                context.Other($"the cross-reference data lists object {number} twice with different locations, so readers disagree on which one they show");
            }
        }
    }

    private void Compare(ChangeContext context, int number)
    {
        PdfObject? old, now;
        try
        {
            old = file.Get(number, context.Revision - 1);
            now = file.Get(number, context.Revision);
        }
        catch (PdfSyntaxException e)
        {
            context.Other($"object {number} cannot be read ({e.Message}), so whether its change is allowed cannot be checked");
            return;
        }
        var roles = context.Before.RoleOf(number);
        if (old is null)
        {
            if (now is not null && roles != ObjectRole.None)
            {
                // The signed revision referred to this number but held no object there: defining it now changes what was signed.
                context.Other($"object {number}, which the signed revision referred to but did not contain, was added");
            }
            return;
        }
        if (now is not null && PdfObject.Same(old, now, file.Span))
        {
            if (roles != ObjectRole.None && file.Locate(number, context.Revision)?.Generation != file.Locate(number, context.Revision - 1)?.Generation)
            {
                context.Other($"object {number} was given a new generation number, which some readers then no longer find");
            }
            return;
        }
        if (roles == ObjectRole.None && IsContainer(old) && IsContainer(now))
        {
            return; // an object or cross-reference stream rewritten: the objects inside it are compared one by one
        }
        if (now is null)
        {
            if (roles != ObjectRole.None)
            {
                context.Other($"{Describe.Object(context.Before, number, old)} was deleted");
            }
            return;
        }
        if (roles != ObjectRole.None && AmbiguousKey(now, 0) is { } key)
        {
            context.Other($"{Describe.Object(context.Before, number, old)} now gives /{key} twice with different values, so readers disagree on which they use");
            return;
        }
        ChangeRules.Classify(context, number, old, now, roles);
    }

    /// <summary>A key a dictionary (or one nested in it) repeats with a different value; readers take the first or the last.</summary>
    private string? AmbiguousKey(PdfObject value, int depth)
    {
        if (depth > PdfParser.MaxDepth)
        {
            return null;
        }
        switch (value)
        {
            case PdfDictionary dictionary:
                foreach (var (key, duplicate) in dictionary.Duplicates ?? [])
                {
                    if (!PdfObject.Same(dictionary[key], duplicate, file.Span))
                    {
                        return key;
                    }
                }
                return dictionary.Entries.Values.Select(v => AmbiguousKey(v, depth + 1)).FirstOrDefault(k => k is not null);
            case PdfArray array:
                return array.Items.Select(v => AmbiguousKey(v, depth + 1)).FirstOrDefault(k => k is not null);
            default:
                return null;
        }
    }

    private static bool IsContainer(PdfObject? value) => value is null || value is PdfStream stream && stream.Name("Type") is "ObjStm" or "XRef";
}

/// <summary>The state of classifying one revision's changes: both structures, the changes found, and facts about the whole update.</summary>
internal sealed class ChangeContext(PdfFile file, int revision, DocumentStructure before, DocumentStructure after)
{
    private const int MaxChanges = 30;
    private HashSet<string>? _signedNow;
    private bool? _addsDocumentTimestamp;

    public PdfFile File { get; } = file;
    public int Revision { get; } = revision;
    public DocumentStructure Before { get; } = before;
    public DocumentStructure After { get; } = after;
    public List<Change> Changes { get; } = [];
    public HashSet<string> ChangedFields { get; } = new(StringComparer.Ordinal);

    public void Add(ModificationLevel level, string sentence) => Add(level, level, sentence);

    public void Add(ModificationLevel level, ModificationLevel certified, string sentence)
    {
        var existing = Changes.FindIndex(c => c.Sentence == sentence);
        if (existing >= 0)
        {
            var c = Changes[existing];
            Changes[existing] = new Change(Max(c.Level, level), Max(c.Certified, certified), sentence);
        }
        else if (Changes.Count < MaxChanges)
        {
            Changes.Add(new Change(level, Max(level, certified), sentence));
        }
        else if (level > Changes.Max(c => c.Level) || certified > Changes.Max(c => c.Certified))
        {
            Changes[^1] = new Change(level, Max(level, certified), sentence); // the list is capped, the worst change is kept
        }
    }

    public void Other(string sentence) => Add(ModificationLevel.Other, sentence);

    private static ModificationLevel Max(ModificationLevel a, ModificationLevel b) => a > b ? a : b;

    /// <summary>Signature fields that this update signs: a value now, none before (or the field is new).</summary>
    public HashSet<string> SignedNow => _signedNow ??= After.Fields
        .Where(f => f.Type == "Sig" && After.Resolve(f.Dictionary["V"]) is PdfDictionary)
        .Where(f => Before.Fields.FirstOrDefault(b => b.Name == f.Name) is not { } old || Before.Resolve(old.Dictionary["V"]) is not PdfDictionary)
        .Select(f => f.Name).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Whether this update adds a document time-stamp and no other signature (ISO 32000-2 §12.8.2.2.2: like the DSS, it
    /// is not a change DocMDP restricts), so the form's /DA and /DR it touches come with it.
    /// </summary>
    public bool AddsDocumentTimestamp => _addsDocumentTimestamp ??= SignedNow.Count > 0 && SignedNow.All(name =>
        IsDocumentTimestamp(After.Resolve(After.Fields.First(f => f.Name == name).Dictionary["V"])));

    public static bool IsDocumentTimestamp(PdfObject? value) =>
        value is PdfDictionary d && (d.Name("Type") == "DocTimeStamp" || d.Name("SubFilter") == "ETSI.RFC3161");

    /// <summary>Whether <paramref name="number"/> is an object the earlier revision did not have (a new object of this update).</summary>
    public bool IsNew(int number) => File.Locate(number, Revision - 1) is null;

    /// <summary>The keys whose values differ between two dictionaries.</summary>
    public List<string> ChangedKeys(PdfObject old, PdfObject? now)
    {
        if (old is not PdfDictionary a || now is not PdfDictionary b)
        {
            return ["the whole object"];
        }
        return a.Entries.Keys.Union(b.Entries.Keys).Where(k => !PdfObject.Same(a[k], b[k], File.Span)).Order(StringComparer.Ordinal).ToList();
    }
}
