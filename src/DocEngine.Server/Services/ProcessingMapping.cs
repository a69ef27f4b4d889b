using DocEngine.Core.Imaging;
using DocEngine.Core.Pdf;
using DocEngine.Core.Previews;
using DocEngine.Core.Processing;
using DocEngine.Core.Storage;
using Google.Protobuf.WellKnownTypes;
using ContractOutputFormat = DocEngine.Contract.V1.OutputFormat;
using CoreOutputFormat = DocEngine.Core.Processing.OutputFormat;
using ContractPdfEncryption = DocEngine.Contract.V1.PdfEncryption;
using CorePdfEncryption = DocEngine.Core.Pdf.PdfEncryption;
using CorePreviewFormat = DocEngine.Core.Previews.PreviewFormat;

namespace DocEngine.Contract.V1;

/// <summary>
/// Inspection, processing and preview results to contract messages. This one file is compiled into the server and into
/// the CLI (linked from DocEngine.Cli.csproj), so `docengine inspect --json` prints the same JSON offline as through the server.
/// </summary>
internal static class ProcessingMapping
{
    public static DocumentInfo ToProto(this Core.Processing.DocumentInfo info) => new()
    {
        MediaType = info.Detection.MediaType,
        Description = info.Detection.Description,
        NameMismatch = info.Detection.NameMismatch ?? "",
        SizeBytes = info.SizeBytes,
        Image = info.Image?.ToProto(),
        Pdf = info.Pdf?.ToProto(),
        ConvertsToPdf = info.ConvertsToPdf,
    };

    public static ImageInfo ToProto(this ImageFacts facts) => new()
    {
        Width = facts.Width,
        Height = facts.Height,
        UprightWidth = facts.UprightWidth,
        UprightHeight = facts.UprightHeight,
        Frames = facts.Frames,
        DpiX = facts.DpiX ?? 0,
        DpiY = facts.DpiY ?? 0,
        ColorSpace = facts.ColorSpace,
        BitsPerPixel = facts.BitsPerPixel,
        IccProfile = facts.IccProfile switch
        {
            IccKind.Srgb => IccProfile.Srgb,
            IccKind.Other => IccProfile.Other,
            _ => IccProfile.None,
        },
        Orientation = facts.Orientation,
        HasGps = facts.HasGps,
        HasCameraInfo = facts.HasCameraInfo,
        HasAlpha = facts.HasAlpha,
    };

    public static PdfInfo ToProto(this PdfFacts facts) => new()
    {
        Version = facts.Version,
        Pages = facts.Pages,
        PageSizes = { facts.PageSizes.Select(p => new PageSize { WidthPoints = p.WidthPoints, HeightPoints = p.HeightPoints, Rotation = p.Rotation }) },
        Encryption = facts.Encryption switch
        {
            CorePdfEncryption.OpensWithoutPassword => ContractPdfEncryption.OpensWithoutPassword,
            CorePdfEncryption.NeedsPassword => ContractPdfEncryption.NeedsPassword,
            _ => ContractPdfEncryption.None,
        },
        PasswordRequired = facts.PasswordRequired,
        HasTextLayer = facts.HasTextLayer,
        HasJavascript = facts.HasJavaScript,
        HasEmbeddedFiles = facts.HasEmbeddedFiles,
        HasXfa = facts.HasXfa,
        DynamicXfa = facts.IsDynamicXfa,
        SignatureFields = facts.SignatureFields,
        SignedSignatureFields = facts.SignedSignatureFields,
        TextLayerPages = facts.TextLayerPages,
        PagesCheckedForText = facts.PagesCheckedForText,
    };

    public static ProcessingReport ToProto(this Core.Common.ProcessingReport report)
    {
        var proto = new ProcessingReport
        {
            BytesBefore = report.BytesBefore,
            BytesAfter = report.BytesAfter,
            Actions = { report.Actions },
            Warnings = { report.Warnings },
        };
        if (report.ImageDpi is { } dpi)
        {
            proto.ImageDpi = dpi;
        }
        if (report.JpegQuality is { } quality)
        {
            proto.JpegQuality = quality;
        }
        if (report.TextLayerPages is { } textPages)
        {
            proto.TextLayerPages = textPages;
        }
        proto.ConvertedFrom = report.ConvertedFrom ?? "";
        proto.Archival = report.Archival ?? "";
        return proto;
    }

    public static Rendition ToProto(this RenditionRecord rendition) => new()
    {
        Name = RenditionName(rendition.ApplicationId, rendition.DocumentId, rendition.Id),
        Sources = { rendition.Sources.Select(s => $"applications/{s.Split('/')[0]}/documents/{s.Split('/')[1]}") },
        MediaType = rendition.MediaType,
        SizeBytes = rendition.SizeBytes,
        Sha256 = rendition.Sha256,
        Pages = rendition.Pages,
        Width = rendition.Width,
        Height = rendition.Height,
        Report = rendition.Report.ToProto(),
        CreateTime = Timestamp.FromDateTimeOffset(rendition.CreateTime),
        Part = rendition.Report.Part?.Number ?? 0,
        PartCount = rendition.Report.Part?.Count ?? 0,
        FirstPage = rendition.Report.Part?.FirstPage ?? 0,
        LastPage = rendition.Report.Part?.LastPage ?? 0,
    };

    public static string RenditionName(string applicationId, string documentId, string renditionId) =>
        $"applications/{applicationId}/documents/{documentId}/renditions/{renditionId}";

    public static PdfCompressionRequest ToPdfRequest(this ProcessingOptions? options) => options is null
        ? new PdfCompressionRequest()
        : new PdfCompressionRequest(
            options.HasMaxBytes ? options.MaxBytes : null,
            options.HasSplitTo ? options.SplitTo : null,
            options.HasDpi ? options.Dpi : null,
            options.Gray,
            options.Password is { Length: > 0 } password ? password : null,
            options.AllowBreakingSignatures);

    public static ProcessingRequest ToCore(this ProcessingOptions? options) => options is null
        ? new ProcessingRequest()
        : new ProcessingRequest(
            options.Format switch
            {
                ContractOutputFormat.Jpeg => CoreOutputFormat.Jpeg,
                ContractOutputFormat.Png => CoreOutputFormat.Png,
                ContractOutputFormat.Pdf => CoreOutputFormat.Pdf,
                _ => CoreOutputFormat.Keep,
            },
            options.HasDpi ? options.Dpi : null,
            options.HasMaxEdge ? options.MaxEdge : null,
            options.Gray)
        {
            Ocr = options.Ocr,
            Archive = options.Archive,
        };

    public static PagePreview ToProto(this RenderedPage page, string rendition = "") => new()
    {
        PageNumber = page.Number,
        Width = page.Width,
        Height = page.Height,
        Format = page.Format.ToProto(),
        Data = Google.Protobuf.UnsafeByteOperations.UnsafeWrap(page.Bytes),
        Rendition = rendition,
    };

    public static PreviewFormat ToProto(this CorePreviewFormat format) => format switch
    {
        CorePreviewFormat.Jpeg => PreviewFormat.Jpeg,
        CorePreviewFormat.WebP => PreviewFormat.Webp,
        _ => PreviewFormat.Png,
    };

    public static CorePreviewFormat ToCore(this PreviewFormat format) => format switch
    {
        PreviewFormat.Jpeg => CorePreviewFormat.Jpeg,
        PreviewFormat.Webp => CorePreviewFormat.WebP,
        _ => CorePreviewFormat.Png,
    };
}
