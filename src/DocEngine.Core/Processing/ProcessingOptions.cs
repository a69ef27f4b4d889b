using DocEngine.Core.Pdf;

namespace DocEngine.Core.Processing;

/// <summary>
/// The <c>DocEngine:Processing</c> section: one flat set of keys for the image limits (<see cref="Imaging.ImagingOptions"/>)
/// and the PDF settings (<see cref="PdfOptions"/>) that inspecting and processing a document obey.
/// </summary>
public sealed class ProcessingOptions : PdfOptions;
