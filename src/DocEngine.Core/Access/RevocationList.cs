using DocEngine.Core.Storage;

namespace DocEngine.Core.Access;

/// <summary>
/// The revoked, unexpired token ids, as each node knows them: reloaded from the shared store every
/// <see cref="AccessOptions.RevocationRefreshInterval"/> (by the server's refresher), so a revocation made on any node
/// holds on this one within about that long. When the last reload is older than <see cref="AccessOptions.RevocationMaxAge"/>
/// (the store was unreachable), a token is looked up in the store instead of being trusted on stale knowledge.
/// </summary>
public sealed class RevocationList(IAccessTokenStore store, AccessOptions options, TimeProvider time)
{
    private readonly Lock _gate = new();
    private HashSet<string> _revoked = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _addedHere = new(StringComparer.Ordinal);
    private long _loadedAt = long.MinValue;

    /// <summary>Reloads the revoked ids from the store.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var ids = await store.ListRevokedAccessTokenIdsAsync(time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        var revoked = new HashSet<string>(ids, StringComparer.Ordinal);
        lock (_gate)
        {
            // A revocation made here while the reload ran may be missing from what it read: keep it until a later reload has it.
            foreach (var (id, addedAt) in _addedHere.ToList())
            {
                if (addedAt >= started)
                {
                    revoked.Add(id);
                }
                else
                {
                    _addedHere.Remove(id);
                }
            }
            _revoked = revoked;
            _loadedAt = started;
        }
    }

    /// <summary>Marks a token revoked here at once, after the store has it (the node that revoked it need not wait for the next reload).</summary>
    public void Add(string tokenId)
    {
        lock (_gate)
        {
            _addedHere[tokenId] = time.GetTimestamp();
            _revoked = new HashSet<string>(_revoked, StringComparer.Ordinal) { tokenId };
        }
    }

    /// <summary>Whether the grant's token was revoked.</summary>
    public async ValueTask<bool> IsRevokedAsync(AccessGrant grant, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_loadedAt != long.MinValue && time.GetElapsedTime(_loadedAt) <= options.RevocationMaxAge)
            {
                return _revoked.Contains(grant.TokenId);
            }
        }
        var token = await store.GetAccessTokenAsync(grant.Tenant, grant.TokenId, cancellationToken).ConfigureAwait(false);
        return token?.RevokeTime is not null; // the same answer the in-memory list gives: only a recorded revocation revokes
    }
}
