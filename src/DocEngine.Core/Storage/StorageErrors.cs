namespace DocEngine.Core.Storage;

/// <summary>
/// The store-neutral failures every provider throws, so no caller needs to know which database or object store is behind
/// the interfaces: the server maps each to one status (UNAVAILABLE, RESOURCE_EXHAUSTED, ABORTED, DATA_LOSS).
/// </summary>
public static class StorageErrors
{
    /// <summary>UNAVAILABLE STORAGE_UNAVAILABLE: <paramref name="what"/> cannot be reached; retrying later works.</summary>
    public static DocEngineException Unavailable(string what, Exception? cause = null) => new(ErrorKind.Unavailable, "STORAGE_UNAVAILABLE",
        $"The server cannot reach {what} just now: retry in a few seconds; nothing the server acknowledged is lost.")
    { Cause = cause };

    /// <summary>RESOURCE_EXHAUSTED STORAGE_FULL: the store is out of space.</summary>
    public static DocEngineException Full(Exception? cause = null) => new(ErrorKind.ResourceExhausted, "STORAGE_FULL",
        "The server is out of storage space: retry later; nothing the server acknowledged is lost.")
    { Cause = cause };

    /// <summary>ABORTED STORAGE_CONFLICT: another node changed the same thing at the same moment; retrying works.</summary>
    public static DocEngineException Conflict(string sentence) => new(ErrorKind.Aborted, "STORAGE_CONFLICT", sentence);

    /// <summary>DATA_LOSS BLOB_MISSING: a stored document's bytes are gone.</summary>
    public static DocEngineException BlobMissing() => new(ErrorKind.DataLoss, "BLOB_MISSING",
        "The stored bytes of this document are missing on the server; upload the file again and report this to the portal's operators.");
}
