using Microsoft.Data.Sqlite;

namespace DocEngine.Core.Storage.Embedded;

/// <summary>
/// Metadata in one SQLite file, in WAL mode with <c>synchronous=FULL</c>: a committed transaction has been
/// fsynced, which is what makes a reported upload offset durable.
/// </summary>
public sealed partial class SqliteMetadataStore : IApplicationStore, IDocumentStore, IUploadSessionStore, IRenditionStore, IReceiptStore, IApplicationEventStore, IBatchWorkStore,
    IAccessTokenStore, IAuditEventStore, ISigningKeyStore
{
    private const int SchemaVersion = 7;
    private readonly string _connectionString;

    private SqliteMetadataStore(string path)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
    }

    /// <summary>Opens (creating when missing) the database at <paramref name="path"/> and brings its schema up to date.</summary>
    public static async Task<SqliteMetadataStore> OpenAsync(string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var store = new SqliteMetadataStore(path);
        await using var connection = await store.ConnectAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, "PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        await using var version = connection.CreateCommand();
        version.CommandText = "PRAGMA user_version;";
        var current = Convert.ToInt32(await version.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false));
        if (current > SchemaVersion)
        {
            throw new InvalidOperationException($"The database at {path} has schema {current}, newer than this build's {SchemaVersion}; upgrade DocEngine.");
        }
        if (current < 1)
        {
            await ExecuteAsync(connection, Schema, cancellationToken).ConfigureAwait(false);
        }
        if (current < 2)
        {
            await ExecuteAsync(connection, RenditionsSchema, cancellationToken).ConfigureAwait(false);
        }
        if (current < 3)
        {
            await ExecuteAsync(connection, ReceiptsSchema, cancellationToken).ConfigureAwait(false);
        }
        if (current < 4)
        {
            await ExecuteAsync(connection, BatchesSchema, cancellationToken).ConfigureAwait(false);
        }
        if (current < 5)
        {
            await ExecuteAsync(connection, BatchAttentionSchema, cancellationToken).ConfigureAwait(false);
        }
        if (current < 6)
        {
            await ExecuteAsync(connection, AccessSchema, cancellationToken).ConfigureAwait(false);
        }
        if (current < 7)
        {
            await ExecuteAsync(connection, UploadStateSchema, cancellationToken).ConfigureAwait(false);
        }
        return store;
    }

    private async Task<SqliteConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        // synchronous is per connection: FULL makes every commit fsync the WAL before returning. busy_timeout lets SQLite
        // itself wait for another writer (sleeping 1, 2, 5, 10 ... ms), where Microsoft.Data.Sqlite alone retries a busy
        // database every 150 ms: with a preview's pages stored while its audit event is written, that was 150 ms a call.
        await ExecuteAsync(connection, "PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;", cancellationToken).ConfigureAwait(false);
        return connection;
    }

    /// <summary>Runs a store operation, turning SQLite's failures into the store-neutral ones (a full disk, a locked or failing file).</summary>
    private static async Task<T> Guard<T>(Func<Task<T>> work)
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 13 /* SQLITE_FULL */)
        {
            throw StorageErrors.Full(e);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 5 or 6 or 10 /* SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR */)
        {
            throw StorageErrors.Unavailable("the metadata database", e);
        }
    }

    private static Task Guard(Func<Task> work) => Guard(async () =>
    {
        await work().ConfigureAwait(false);
        return true;
    });

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }

    /// <summary>Reads up to <paramref name="size"/> rows (the query asks for one more, to know whether another page exists).</summary>
    private static async Task<Page<T>> ReadPageAsync<T>(SqliteCommand select, int size, char kind, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        var items = new List<T>();
        var lastSequence = 0L;
        while (items.Count < size && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            items.Add(read(reader));
            lastSequence = reader.GetInt64(0);
        }
        var more = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        return new Page<T>(items, more ? PageToken.Encode(kind, lastSequence) : "");
    }

    private static long ToUnixMicros(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;

    private static DateTimeOffset FromUnixMicros(long micros) => DateTimeOffset.UnixEpoch.AddTicks(micros * 10);

    private const string Schema = """
        CREATE TABLE applications (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            tenant TEXT NOT NULL,
            id TEXT NOT NULL,
            display_name TEXT NOT NULL,
            create_time INTEGER NOT NULL,
            submit_time INTEGER,
            UNIQUE (tenant, id));
        CREATE TABLE documents (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            tenant TEXT NOT NULL,
            application_id TEXT NOT NULL,
            id TEXT NOT NULL,
            filename TEXT NOT NULL,
            media_type TEXT NOT NULL,
            size_bytes INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            create_time INTEGER NOT NULL,
            supplementary INTEGER NOT NULL,
            version INTEGER NOT NULL,
            upload_id TEXT NOT NULL,
            UNIQUE (tenant, application_id, id));
        CREATE INDEX documents_by_filename ON documents (tenant, application_id, filename);
        CREATE TABLE uploads (
            id TEXT PRIMARY KEY,
            tenant TEXT NOT NULL,
            application_id TEXT NOT NULL,
            filename TEXT NOT NULL,
            media_type TEXT NOT NULL,
            declared_size INTEGER,
            declared_sha256 TEXT,
            committed_offset INTEGER NOT NULL,
            state INTEGER NOT NULL,
            create_time INTEGER NOT NULL,
            expire_time INTEGER NOT NULL,
            sha256 TEXT,
            document_id TEXT,
            failure TEXT);
        CREATE INDEX uploads_by_expiry ON uploads (state, expire_time);
        PRAGMA user_version = 1;
        """;

    private const string RenditionsSchema = """
        CREATE TABLE renditions (
            tenant TEXT NOT NULL,
            application_id TEXT NOT NULL,
            document_id TEXT NOT NULL,
            id TEXT NOT NULL,
            sources TEXT NOT NULL,
            media_type TEXT NOT NULL,
            size_bytes INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            pages INTEGER NOT NULL,
            width INTEGER NOT NULL,
            height INTEGER NOT NULL,
            report TEXT NOT NULL,
            create_time INTEGER NOT NULL,
            PRIMARY KEY (tenant, application_id, document_id, id));
        PRAGMA user_version = 2;
        """;
}
