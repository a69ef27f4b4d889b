namespace DocEngine.Core.Detection;

/// <summary>The sentence DocEngine says when a file is not a document it can take, and what to do instead.</summary>
public static class Refusals
{
    /// <summary>Throws <see cref="ErrorKind.InvalidArgument"/> unless <paramref name="detection"/> is a supported kind.</summary>
    public static void ThrowIfUnsupported(DetectedType detection)
    {
        if (!detection.IsSupported)
        {
            throw For(detection);
        }
    }

    /// <summary>The refusal for an unsupported kind.</summary>
    public static DocEngineException For(DetectedType detection)
    {
        var renamed = detection.NameMismatch is null ? "" : $" renamed {ExtensionIn(detection.NameMismatch)}";
        var (reason, sentence) = detection.Kind switch
        {
            DocumentKind.Empty => ("EMPTY_FILE",
                "This file is empty (0 bytes): choose it again, after it has finished saving or downloading."),
            DocumentKind.LegacyOffice or DocumentKind.WordDocx or DocumentKind.ExcelXlsx or DocumentKind.PowerPointPptx
                or DocumentKind.OpenDocument or DocumentKind.Rtf => ("OFFICE_DOCUMENT",
                $"This file is {detection.Description}{renamed}: open it and save it as PDF (File > Save As > PDF), then upload the PDF."),
            DocumentKind.Zip => ("ARCHIVE",
                $"This file is a ZIP archive{renamed}: unzip it and upload the documents inside one by one."),
            DocumentKind.Html => ("WEB_PAGE",
                $"This file is a web page (HTML){renamed}, not a document: save it as PDF from your browser (Print > Save as PDF) and upload that."),
            DocumentKind.Executable => ("PROGRAM",
                $"This file is a program or script{renamed}, not a document: upload the PDF or photo of your document instead."),
            _ => ("UNRECOGNISED_TYPE",
                "DocEngine does not recognise this file: upload a PDF or a photo or scan (JPEG, PNG, HEIC, TIFF, WebP, GIF, BMP, AVIF or JPEG 2000)."),
        };
        return new DocEngineException(ErrorKind.InvalidArgument, reason, sentence)
        {
            Details = new Dictionary<string, string> { ["detected_media_type"] = detection.MediaType },
        };
    }

    private static string ExtensionIn(string mismatch) => mismatch.Split(' ').First(word => word.StartsWith('.'));
}
