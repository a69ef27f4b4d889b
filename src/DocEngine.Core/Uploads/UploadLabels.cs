using System.Text.RegularExpressions;

namespace DocEngine.Core.Uploads;

/// <summary>Cleans what clients say about a file. A file name is a label: it is never used as a path.</summary>
internal static partial class UploadLabels
{
    public const string DefaultMediaType = "application/octet-stream";

    /// <summary>The last path segment, without control characters, at most 255 characters; "unnamed" when nothing is left.</summary>
    public static string Filename(string? name)
    {
        var label = (name ?? "").Replace('\\', '/');
        label = label[(label.LastIndexOf('/') + 1)..];
        label = new string(label.Where(c => !char.IsControl(c)).ToArray()).Trim();
        if (label.Length > 255)
        {
            label = label[..255];
        }
        return label is "" or "." or ".." ? "unnamed" : label;
    }

    public static string MediaType(string? mediaType)
    {
        if (string.IsNullOrWhiteSpace(mediaType))
        {
            return DefaultMediaType;
        }
        var normalized = mediaType.Trim().ToLowerInvariant();
        if (normalized.Length > 127 || !MediaTypePattern().IsMatch(normalized))
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "INVALID_MEDIA_TYPE",
                "The media_type is not a media type such as 'application/pdf': send a valid one or leave it empty.")
            { Field = "media_type" };
        }
        return normalized;
    }

    /// <summary>A declared SHA-256 in lowercase, or null when none was declared.</summary>
    public static string? Sha256(string? sha256, string field)
    {
        if (string.IsNullOrEmpty(sha256))
        {
            return null;
        }
        var normalized = sha256.ToLowerInvariant();
        if (normalized.Length != 64 || !normalized.All(char.IsAsciiHexDigitLower))
        {
            throw new DocEngineException(ErrorKind.InvalidArgument, "INVALID_SHA256",
                $"The {field} must be 64 hexadecimal characters (the SHA-256 of the whole file), or empty.")
            { Field = field };
        }
        return normalized;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$")]
    private static partial Regex MediaTypePattern();
}
