using System.Net.Sockets;
using Npgsql;
using NpgsqlTypes;

namespace DocEngine.Core.Storage.Postgres;

/// <summary>
/// Metadata in PostgreSQL, shared by every node (Npgsql, plain SQL; the schema is Migrations/*.sql, applied at start by
/// <see cref="PostgresMigrations"/>). Each capability lives in its own partial file, as in the embedded store. Every
/// commit is synchronous (the server's default), so a reported upload offset is durable. Errors leave as the store-neutral
/// <see cref="StorageErrors"/>: a database that cannot be reached is UNAVAILABLE, a full disk STORAGE_FULL.
/// </summary>
public sealed partial class PostgresMetadataStore : IStorageProbe, IAsyncDisposable
{
    private readonly NpgsqlDataSource _data;

    private PostgresMetadataStore(NpgsqlDataSource data) => _data = data;

    /// <summary>Connects to the database named by <paramref name="connectionString"/> and brings its schema up to date.</summary>
    public static async Task<PostgresMetadataStore> OpenAsync(string connectionString, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (string.IsNullOrEmpty(builder.ApplicationName))
        {
            builder.ApplicationName = "docengine";
        }
        var data = NpgsqlDataSource.Create(builder.ConnectionString);
        try
        {
            await Translate(() => PostgresMigrations.ApplyAsync(data, cancellationToken)).ConfigureAwait(false);
            return new PostgresMetadataStore(data);
        }
        catch
        {
            await data.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs <paramref name="work"/> on a pooled connection, translating the driver's failures into store-neutral ones.</summary>
    private Task<T> RunAsync<T>(Func<NpgsqlConnection, Task<T>> work, CancellationToken cancellationToken) => Translate(async () =>
    {
        await using var connection = await _data.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await work(connection).ConfigureAwait(false);
    });

    private Task RunAsync(Func<NpgsqlConnection, Task> work, CancellationToken cancellationToken) => RunAsync(async connection =>
    {
        await work(connection).ConfigureAwait(false);
        return true;
    }, cancellationToken);

    private static async Task Translate(Func<Task> work) => await Translate(async () =>
    {
        await work().ConfigureAwait(false);
        return true;
    }).ConfigureAwait(false);

    private static async Task<T> Translate<T>(Func<Task<T>> work)
    {
        try
        {
            return await work().ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DiskFull or PostgresErrorCodes.OutOfMemory)
        {
            throw StorageErrors.Full(e);
        }
        catch (Exception e) when (e is NpgsqlException { IsTransient: true } or SocketException or TimeoutException
                                      || (e is NpgsqlException && e.InnerException is IOException or SocketException or TimeoutException))
        {
            throw StorageErrors.Unavailable("the metadata database", e);
        }
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.Add(value switch
            {
                NpgsqlParameter typed => typed,
                null => new NpgsqlParameter(name, DBNull.Value),
                _ => new NpgsqlParameter(name, value),
            });
        }
        return command;
    }

    /// <summary>A parameter that may be null, with its type stated (a bare null would reach the server as text).</summary>
    private static NpgsqlParameter Nullable(string name, object? value, NpgsqlDbType type) => new(name, type) { Value = value ?? DBNull.Value };

    private static async Task<int> ExecuteAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using (command)
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<T?> ReadOneAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken) where T : class
    {
        await using (command)
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? read(reader) : null;
        }
    }

    private static async Task<List<T>> ReadAllAsync<T>(NpgsqlCommand command, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using (command)
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var rows = new List<T>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(read(reader));
            }
            return rows;
        }
    }

    /// <summary>Reads up to <paramref name="size"/> rows (the query asks for one more, to know whether another page exists); column 0 is the sequence.</summary>
    private static async Task<Page<T>> ReadPageAsync<T>(NpgsqlCommand select, int size, char kind, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using (select)
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
    }

    /// <summary>A time as stored: UTC, truncated to the microsecond PostgreSQL keeps, so what is returned equals what is read back.</summary>
    private static DateTime Stored(DateTimeOffset time) => new(time.UtcTicks - time.UtcTicks % 10, DateTimeKind.Utc);

    private static DateTimeOffset Time(NpgsqlDataReader reader, int ordinal) => new(DateTime.SpecifyKind(reader.GetDateTime(ordinal), DateTimeKind.Utc));

    private static DateTimeOffset? NullableTime(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : Time(reader, ordinal);

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    /// <inheritdoc />
    public string Name => "the PostgreSQL database";

    /// <inheritdoc />
    public Task ProbeAsync(CancellationToken cancellationToken) => RunAsync(connection => ExecuteAsync(Command(connection, "SELECT 1;"), cancellationToken), cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _data.DisposeAsync();
}
