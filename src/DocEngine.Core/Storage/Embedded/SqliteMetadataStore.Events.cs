using System.Globalization;
using Microsoft.Data.Sqlite;

namespace DocEngine.Core.Storage.Embedded;

public sealed partial class SqliteMetadataStore
{
    /// <inheritdoc />
    public Task<IReadOnlyList<ApplicationEventRecord>> ListApplicationEventsAsync(string tenant, string applicationId, CancellationToken cancellationToken) => Guard<IReadOnlyList<ApplicationEventRecord>>(async () =>
    {
        await using var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var application = await GetApplicationAsync(connection, tenant, applicationId, cancellationToken).ConfigureAwait(false);
        if (application is null)
        {
            return [];
        }
        var name = "applications/" + applicationId;
        var events = new List<ApplicationEventRecord> { new(application.CreateTime, ApplicationEventKind.Created, name, "The application was created.") };
        if (application.SubmitTime is { } submitted)
        {
            events.Add(new(submitted, ApplicationEventKind.Submitted, name, "The application was submitted."));
        }
        // Every source below is append-only history: nothing here is written for the timeline alone.
        await ReadEventsAsync(connection, "SELECT create_time, id, filename, declared_size FROM uploads WHERE tenant = $tenant AND application_id = $app;",
            tenant, applicationId, r => new(FromUnixMicros(r.GetInt64(0)), ApplicationEventKind.UploadStarted, $"uploads/{r.GetString(1)}",
                $"Upload of \"{r.GetString(2)}\" started{(r.IsDBNull(3) ? "" : $" ({ByteSize.Describe(r.GetInt64(3))})")}."), events, cancellationToken).ConfigureAwait(false);
        await ReadEventsAsync(connection, "SELECT create_time, id, filename, size_bytes, sha256, supplementary FROM documents WHERE tenant = $tenant AND application_id = $app;",
            tenant, applicationId, r => new(FromUnixMicros(r.GetInt64(0)),
                r.GetInt64(5) != 0 ? ApplicationEventKind.SupplementaryDocumentReceived : ApplicationEventKind.DocumentReceived, $"{name}/documents/{r.GetString(1)}",
                $"\"{r.GetString(2)}\" ({ByteSize.Describe(r.GetInt64(3))}, SHA-256 {r.GetString(4)[..16]}…) was received completely{(r.GetInt64(5) != 0 ? ", after submission" : "")}."),
            events, cancellationToken).ConfigureAwait(false);
        await ReadEventsAsync(connection, "SELECT create_time, document_id, id, media_type, size_bytes FROM renditions WHERE tenant = $tenant AND application_id = $app;",
            tenant, applicationId, r => new(FromUnixMicros(r.GetInt64(0)), ApplicationEventKind.RenditionMade, $"{name}/documents/{r.GetString(1)}/renditions/{r.GetString(2)}",
                $"A {r.GetString(3)} rendition ({ByteSize.Describe(r.GetInt64(4))}) was made."), events, cancellationToken).ConfigureAwait(false);
        await ReadEventsAsync(connection, "SELECT issue_time, document_id, sequence FROM receipts WHERE tenant = $tenant AND application_id = $app;",
            tenant, applicationId, r => new(FromUnixMicros(r.GetInt64(0)), ApplicationEventKind.ReceiptIssued, $"{name}/documents/{r.GetString(1)}/receipt",
                string.Create(CultureInfo.InvariantCulture, $"Receipt {r.GetInt64(2)} was issued.")), events, cancellationToken).ConfigureAwait(false);
        await ReadEventsAsync(connection, "SELECT time, kind, resource, description, actor, access_token FROM audit_events WHERE tenant = $tenant AND application_id = $app ORDER BY seq;",
            tenant, applicationId, r => new(FromUnixMicros(r.GetInt64(0)), (ApplicationEventKind)r.GetInt32(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5)),
            events, cancellationToken).ConfigureAwait(false);
        return events.OrderBy(e => e.Time).ThenBy(e => e.Kind).ToList();
    });

    private static async Task ReadEventsAsync(SqliteConnection connection, string sql, string tenant, string applicationId,
        Func<SqliteDataReader, ApplicationEventRecord> read, List<ApplicationEventRecord> events, CancellationToken cancellationToken)
    {
        await using var select = Command(connection, sql, ("$tenant", tenant), ("$app", applicationId));
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            events.Add(read(reader));
        }
    }
}
