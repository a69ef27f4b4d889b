namespace DocEngine.Core.Previews;

/// <summary>Page lists as people write them: "1-3,7", "2", "5-", or empty for all.</summary>
public static class PageSelection
{
    /// <summary>The 1-based pages selected from a document of <paramref name="pageCount"/> pages, ascending and distinct.</summary>
    public static IReadOnlyList<int> Parse(string? text, int pageCount)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Enumerable.Range(1, pageCount).ToList();
        }
        var pages = new SortedSet<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var bounds = part.Split('-', StringSplitOptions.TrimEntries);
            if (bounds.Length > 2 || !TryPage(bounds[0], 1, out var first) || !TryPage(bounds.Length == 2 ? bounds[1] : bounds[0], pageCount, out var last) || last < first)
            {
                throw Invalid(text, pageCount);
            }
            if (first > pageCount)
            {
                throw new DocEngineException(ErrorKind.OutOfRange, "PAGE_OUT_OF_RANGE",
                    $"This document has {pageCount} page(s): ask for pages between 1 and {pageCount}.") { Field = "pages" };
            }
            for (var page = first; page <= Math.Min(last, pageCount); page++)
            {
                pages.Add(page);
            }
        }
        return pages.Count > 0 ? [.. pages] : throw Invalid(text, pageCount);
    }

    private static bool TryPage(string text, int whenEmpty, out int page)
    {
        page = whenEmpty;
        return text.Length == 0 || (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out page) && page >= 1);
    }

    private static DocEngineException Invalid(string text, int pageCount) => new(ErrorKind.InvalidArgument, "INVALID_PAGES",
        $"'{text}' is not a page list: write pages and ranges such as 1-3,7 (this document has {pageCount} page(s)).") { Field = "pages" };
}
