namespace DocEngine.Core.Storage.Embedded;

/// <summary>The embedded provider's limits: counted in this process, which is the only one using the embedded store.</summary>
public sealed class InMemoryLimitStore : ILimitStore
{
    private readonly Dictionary<string, HashSet<string>> _slots = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<bool> TryTakeSlotAsync(string scope, string slotId, string owner, int limit, DateTimeOffset now, DateTimeOffset expireTime, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_slots)
        {
            if (!_slots.TryGetValue(scope, out var taken))
            {
                _slots[scope] = taken = new HashSet<string>(StringComparer.Ordinal);
            }
            return Task.FromResult(taken.Count < limit && taken.Add(slotId));
        }
    }

    /// <inheritdoc />
    public Task ReleaseSlotAsync(string scope, string slotId, CancellationToken cancellationToken)
    {
        lock (_slots)
        {
            if (_slots.TryGetValue(scope, out var taken) && taken.Remove(slotId) && taken.Count == 0)
            {
                _slots.Remove(scope);
            }
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    /// <remarks>Nothing expires here: the slots die with the process that holds them.</remarks>
    public Task RenewSlotsAsync(string owner, DateTimeOffset expireTime, CancellationToken cancellationToken) => Task.CompletedTask;
}
