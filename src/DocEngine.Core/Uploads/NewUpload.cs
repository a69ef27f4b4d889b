namespace DocEngine.Core.Uploads;

/// <summary>What a client says about a file before sending it.</summary>
/// <param name="ApplicationId">The application to add the document to; null or empty creates a new one.</param>
/// <param name="Filename">The file name, kept as a label only.</param>
/// <param name="MediaType">The media type the client believes the file has; a hint.</param>
/// <param name="SizeBytes">The total size, when known.</param>
/// <param name="Sha256">The whole file's SHA-256 in hex, when known.</param>
public sealed record NewUpload(string? ApplicationId, string Filename, string MediaType, long? SizeBytes, string? Sha256);
