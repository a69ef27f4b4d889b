using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace DocEngine.Core.Storage.Embedded;

public sealed partial class SqliteMetadataStore
{
    private const string RenditionColumns =
        "tenant, application_id, document_id, id, sources, media_type, size_bytes, sha256, pages, width, height, report, create_time";

    /// <inheritdoc />
    public Task<RenditionRecord?> GetRenditionAsync(string tenant, string applicationId, string documentId, string id, CancellationToken cancellationToken) => Guard<RenditionRecord?>(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection,
            $"SELECT {RenditionColumns} FROM renditions WHERE tenant = $tenant AND application_id = $app AND document_id = $doc AND id = $id;",
            ("$tenant", tenant), ("$app", applicationId), ("$doc", documentId), ("$id", id));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadRendition(reader) : null;
    });

    /// <inheritdoc />
    public Task PutRenditionAsync(RenditionRecord rendition, CancellationToken cancellationToken) => Guard(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var insert = Command(connection,
            $"INSERT OR IGNORE INTO renditions ({RenditionColumns}) VALUES ($tenant, $app, $doc, $id, $sources, $media, $size, $sha, $pages, $width, $height, $report, $create);",
            ("$tenant", rendition.Tenant), ("$app", rendition.ApplicationId), ("$doc", rendition.DocumentId), ("$id", rendition.Id),
            ("$sources", JsonSerializer.Serialize(rendition.Sources)), ("$media", rendition.MediaType), ("$size", rendition.SizeBytes),
            ("$sha", rendition.Sha256), ("$pages", rendition.Pages), ("$width", rendition.Width), ("$height", rendition.Height),
            ("$report", JsonSerializer.Serialize(rendition.Report)), ("$create", ToUnixMicros(rendition.CreateTime)));
        await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    });

    /// <inheritdoc />
    public Task<IReadOnlyList<RenditionRecord>> ListRenditionsAsync(string tenant, string applicationId, string documentId, CancellationToken cancellationToken) => Guard<IReadOnlyList<RenditionRecord>>(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        await using var select = Command(connection,
            $"SELECT {RenditionColumns} FROM renditions WHERE tenant = $tenant AND application_id = $app AND document_id = $doc ORDER BY create_time, id;",
            ("$tenant", tenant), ("$app", applicationId), ("$doc", documentId));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var renditions = new List<RenditionRecord>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            renditions.Add(ReadRendition(reader));
        }
        return renditions;
    });

    private static RenditionRecord ReadRendition(SqliteDataReader reader) => new(
        Tenant: reader.GetString(0),
        ApplicationId: reader.GetString(1),
        DocumentId: reader.GetString(2),
        Id: reader.GetString(3),
        Sources: JsonSerializer.Deserialize<List<string>>(reader.GetString(4)) ?? [],
        MediaType: reader.GetString(5),
        SizeBytes: reader.GetInt64(6),
        Sha256: reader.GetString(7),
        Pages: reader.GetInt32(8),
        Width: reader.GetInt32(9),
        Height: reader.GetInt32(10),
        Report: JsonSerializer.Deserialize<ProcessingReport>(reader.GetString(11)) ?? new ProcessingReport(0, 0, [], []),
        CreateTime: FromUnixMicros(reader.GetInt64(12)));
}
