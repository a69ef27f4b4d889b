using System.Globalization;
using Npgsql;

namespace DocEngine.Core.Storage.Postgres;

public sealed partial class PostgresMetadataStore : IApplicationEventStore
{
    /// <inheritdoc />
    public Task<IReadOnlyList<ApplicationEventRecord>> ListApplicationEventsAsync(string tenant, string applicationId, CancellationToken cancellationToken) =>
        RunAsync<IReadOnlyList<ApplicationEventRecord>>(async connection =>
        {
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
            events.AddRange(await ReadEventsAsync(connection, "SELECT create_time, id, filename, declared_size FROM uploads WHERE tenant = @tenant AND application_id = @app;",
                tenant, applicationId, r => new(Time(r, 0), ApplicationEventKind.UploadStarted, $"uploads/{r.GetString(1)}",
                    $"Upload of \"{r.GetString(2)}\" started{(r.IsDBNull(3) ? "" : $" ({ByteSize.Describe(r.GetInt64(3))})")}."), cancellationToken).ConfigureAwait(false));
            events.AddRange(await ReadEventsAsync(connection, "SELECT create_time, id, filename, size_bytes, sha256, supplementary FROM documents WHERE tenant = @tenant AND application_id = @app;",
                tenant, applicationId, r => new(Time(r, 0),
                    r.GetBoolean(5) ? ApplicationEventKind.SupplementaryDocumentReceived : ApplicationEventKind.DocumentReceived, $"{name}/documents/{r.GetString(1)}",
                    $"\"{r.GetString(2)}\" ({ByteSize.Describe(r.GetInt64(3))}, SHA-256 {r.GetString(4)[..16]}…) was received completely{(r.GetBoolean(5) ? ", after submission" : "")}."),
                cancellationToken).ConfigureAwait(false));
            events.AddRange(await ReadEventsAsync(connection, "SELECT create_time, document_id, id, media_type, size_bytes FROM renditions WHERE tenant = @tenant AND application_id = @app;",
                tenant, applicationId, r => new(Time(r, 0), ApplicationEventKind.RenditionMade, $"{name}/documents/{r.GetString(1)}/renditions/{r.GetString(2)}",
                    $"A {r.GetString(3)} rendition ({ByteSize.Describe(r.GetInt64(4))}) was made."), cancellationToken).ConfigureAwait(false));
            events.AddRange(await ReadEventsAsync(connection, "SELECT issue_time, document_id, sequence FROM receipts WHERE tenant = @tenant AND application_id = @app;",
                tenant, applicationId, r => new(Time(r, 0), ApplicationEventKind.ReceiptIssued, $"{name}/documents/{r.GetString(1)}/receipt",
                    string.Create(CultureInfo.InvariantCulture, $"Receipt {r.GetInt64(2)} was issued.")), cancellationToken).ConfigureAwait(false));
            events.AddRange(await ReadEventsAsync(connection,
                "SELECT time, kind, resource, description, actor, access_token FROM audit_events WHERE tenant = @tenant AND application_id = @app ORDER BY seq;",
                tenant, applicationId, r => new(Time(r, 0), (ApplicationEventKind)r.GetInt32(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5)),
                cancellationToken).ConfigureAwait(false));
            return events.OrderBy(e => e.Time).ThenBy(e => e.Kind).ToList();
        }, cancellationToken);

    private static Task<List<ApplicationEventRecord>> ReadEventsAsync(NpgsqlConnection connection, string sql, string tenant, string applicationId,
        Func<NpgsqlDataReader, ApplicationEventRecord> read, CancellationToken cancellationToken) =>
        ReadAllAsync(Command(connection, sql, ("tenant", tenant), ("app", applicationId)), read, cancellationToken);
}
