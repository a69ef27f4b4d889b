using DocEngine.Core.Storage.S3;

namespace DocEngine.Core.Storage;

/// <summary>Which storage provider a node uses (section DocEngine:Storage).</summary>
public sealed class StorageOptions
{
    /// <summary>
    /// <c>Embedded</c> (default): SQLite and files under the data directory, nothing to install, one node.
    /// <c>Postgres</c>: metadata in PostgreSQL and bytes in an S3-compatible store (<see cref="S3"/>), shared by any number
    /// of stateless nodes.
    /// </summary>
    public string Provider { get; set; } = "Embedded";

    /// <summary>The PostgreSQL database (section DocEngine:Storage:Postgres).</summary>
    public PostgresOptions Postgres { get; set; } = new();

    /// <summary>The S3-compatible object store (section DocEngine:Storage:S3).</summary>
    public S3Options S3 { get; set; } = new();
}

/// <summary>The PostgreSQL database that holds the metadata.</summary>
public sealed class PostgresOptions
{
    /// <summary>An Npgsql connection string, e.g. <c>Host=db;Username=docengine;Password=…;Database=docengine</c>.</summary>
    public string ConnectionString { get; set; } = "";
}
