using System.Text.Json;
using DocEngine.Core.Processing;
using Npgsql;

namespace DocEngine.Core.Storage.Postgres;

public sealed partial class PostgresMetadataStore : IRenditionStore
{
    private const string RenditionColumns =
        "tenant, application_id, document_id, id, sources, media_type, size_bytes, sha256, pages, width, height, report, create_time";

    /// <inheritdoc />
    public Task<RenditionRecord?> GetRenditionAsync(string tenant, string applicationId, string documentId, string id, CancellationToken cancellationToken) =>
        RunAsync(connection => ReadOneAsync(Command(connection,
            $"SELECT {RenditionColumns} FROM renditions WHERE tenant = @tenant AND application_id = @app AND document_id = @doc AND id = @id;",
            ("tenant", tenant), ("app", applicationId), ("doc", documentId), ("id", id)), ReadRendition, cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task PutRenditionAsync(RenditionRecord rendition, CancellationToken cancellationToken) => RunAsync(connection => ExecuteAsync(Command(connection,
        $"INSERT INTO renditions ({RenditionColumns}) VALUES (@tenant, @app, @doc, @id, @sources, @media, @size, @sha, @pages, @width, @height, @report, @create) " +
        "ON CONFLICT DO NOTHING;",
        ("tenant", rendition.Tenant), ("app", rendition.ApplicationId), ("doc", rendition.DocumentId), ("id", rendition.Id),
        ("sources", JsonSerializer.Serialize(rendition.Sources)), ("media", rendition.MediaType), ("size", rendition.SizeBytes),
        ("sha", rendition.Sha256), ("pages", rendition.Pages), ("width", rendition.Width), ("height", rendition.Height),
        ("report", JsonSerializer.Serialize(rendition.Report)), ("create", Stored(rendition.CreateTime))), cancellationToken), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<RenditionRecord>> ListRenditionsAsync(string tenant, string applicationId, string documentId, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<RenditionRecord>>(async connection => await ReadAllAsync(Command(connection,
            $"SELECT {RenditionColumns} FROM renditions WHERE tenant = @tenant AND application_id = @app AND document_id = @doc ORDER BY create_time, id;",
            ("tenant", tenant), ("app", applicationId), ("doc", documentId)), ReadRendition, cancellationToken).ConfigureAwait(false), cancellationToken);

    private static RenditionRecord ReadRendition(NpgsqlDataReader reader) => new(
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
        CreateTime: Time(reader, 12));
}
