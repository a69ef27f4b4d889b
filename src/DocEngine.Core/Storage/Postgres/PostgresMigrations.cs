using System.Globalization;
using System.Reflection;
using Npgsql;

namespace DocEngine.Core.Storage.Postgres;

/// <summary>
/// Versioned schema migrations: the SQL files in Migrations/ (NNNN_name.sql, embedded in the assembly), each applied once,
/// in order, in its own transaction, and recorded in <c>schema_migrations</c>. Every node runs this at start; a
/// session-level advisory lock makes the nodes that start together take turns, so each migration runs exactly once.
/// </summary>
internal static class PostgresMigrations
{
    /// <summary>The advisory lock key all DocEngine nodes agree on ("DocE" in ASCII, then 1).</summary>
    private const long LockKey = 0x446F634500000001;

    /// <summary>The migrations this build knows, in order.</summary>
    public static IReadOnlyList<(int Version, string Name, string Sql)> Known { get; } = Load();

    /// <summary>Brings the database up to this build's schema; refuses a database migrated by a newer build.</summary>
    public static async Task ApplyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({LockKey});", cancellationToken).ConfigureAwait(false);
        try
        {
            await ExecuteAsync(connection, null,
                "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_time timestamptz NOT NULL DEFAULT now());",
                cancellationToken).ConfigureAwait(false);
            var applied = new HashSet<int>();
            await using (var select = new NpgsqlCommand("SELECT version FROM schema_migrations;", connection))
            await using (var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    applied.Add(reader.GetInt32(0));
                }
            }
            var newest = Known[^1].Version;
            if (applied.Count > 0 && applied.Max() > newest)
            {
                throw new InvalidOperationException(
                    $"The PostgreSQL database has schema version {applied.Max()}, newer than this build's {newest}: upgrade DocEngine on this node.");
            }
            foreach (var (version, name, sql) in Known.Where(m => !applied.Contains(m.Version)))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, transaction, sql, cancellationToken).ConfigureAwait(false);
                await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, name) VALUES (@version, @name);", connection, transaction))
                {
                    record.Parameters.AddWithValue("version", version);
                    record.Parameters.AddWithValue("name", name);
                    await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({LockKey});", CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static List<(int, string, string)> Load()
    {
        const string prefix = "DocEngine.Migrations.Postgres.";
        var assembly = Assembly.GetExecutingAssembly();
        var migrations = new List<(int, string, string)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var name = resource[prefix.Length..^".sql".Length];
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            migrations.Add((int.Parse(name[..4], CultureInfo.InvariantCulture), name, reader.ReadToEnd()));
        }
        return [.. migrations.OrderBy(m => m.Item1)];
    }
}
