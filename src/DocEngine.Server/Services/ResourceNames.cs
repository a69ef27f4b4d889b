using DocEngine.Core.Storage;

namespace DocEngine.Server.Services;

/// <summary>Parses and formats resource names: <c>applications/{a}</c>, <c>applications/{a}/documents/{d}</c>, <c>uploads/{u}</c>.</summary>
internal static class ResourceNames
{
    public static string Application(string id) => $"applications/{id}";

    public static string Document(string applicationId, string documentId) => $"applications/{applicationId}/documents/{documentId}";

    public static string Upload(string id) => $"uploads/{id}";

    /// <summary>The id in "applications/{id}"; a bare id is accepted too.</summary>
    public static string ParseApplication(string name, string field = "name") =>
        Single(name, "applications", field, "applications/{application_id}");

    public static string ParseUpload(string name, string field = "name") =>
        Single(name, "uploads", field, "uploads/{upload_id}");

    public static string ParseAccessToken(string name, string field = "name") =>
        Single(name, "accessTokens", field, "accessTokens/{token_id}");

    public static string ParseBatch(string name, string field = "name") =>
        Single(name, "batches", field, "batches/{batch_id}");

    public static (string ApplicationId, string DocumentId) ParseDocument(string name, string field = "name")
    {
        var parts = name.Split('/');
        if (parts is ["applications", var app, "documents", var doc] && Ids.IsValid(app) && Ids.IsValid(doc))
        {
            return (app, doc);
        }
        throw Malformed(field, "applications/{application_id}/documents/{document_id}");
    }

    /// <summary>A document name, or a rendition name with its rendition id.</summary>
    public static (string ApplicationId, string DocumentId, string? RenditionId) ParseDocumentOrRendition(string name)
    {
        var parts = name.Split('/');
        if (parts is ["applications", var app, "documents", var doc, "renditions", var rendition]
            && Ids.IsValid(app) && Ids.IsValid(doc) && Ids.IsValid(rendition))
        {
            return (app, doc, rendition);
        }
        var (applicationId, documentId) = ParseDocument(name);
        return (applicationId, documentId, null);
    }

    private static string Single(string name, string collection, string field, string pattern)
    {
        var parts = name.Split('/');
        var id = parts switch
        {
            [var bare] when !IsCollection(bare) => bare, // "applications" alone is a collection, not an id
            [var c, var value] when c == collection => value,
            _ => null,
        };
        return Ids.IsValid(id) ? id! : throw Malformed(field, pattern);
    }

    private static bool IsCollection(string word) => word is "applications" or "documents" or "uploads" or "batches" or "renditions" or "receipt";

    private static DocEngineException Malformed(string field, string pattern) => new(ErrorKind.InvalidArgument, "INVALID_NAME",
        $"The {field} must look like '{pattern}', where ids use only letters, digits, '.', '_' and '-'.")
    { Field = field };
}
