namespace DocEngine.Core.Storage.Embedded;

/// <summary>One lock per key, in this process, kept only while someone holds or waits for it.</summary>
internal sealed class KeyedLocks
{
    private readonly Dictionary<string, (SemaphoreSlim Gate, int Users)> _locks = new(StringComparer.Ordinal);

    /// <summary>Takes the key's lock within <paramref name="wait"/>; null when it stays taken.</summary>
    public async Task<IAsyncDisposable?> TryTakeAsync(string key, TimeSpan wait, CancellationToken cancellationToken)
    {
        SemaphoreSlim gate;
        lock (_locks)
        {
            var entry = _locks.TryGetValue(key, out var found) ? found : (Gate: new SemaphoreSlim(1, 1), Users: 0);
            _locks[key] = (entry.Gate, entry.Users + 1);
            gate = entry.Gate;
        }
        var taken = false;
        try
        {
            taken = await gate.WaitAsync(wait, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!taken)
            {
                Leave(key);
            }
        }
        return taken ? new Held(this, key, gate) : null;
    }

    private void Leave(string key)
    {
        lock (_locks)
        {
            var entry = _locks[key];
            if (entry.Users == 1)
            {
                _locks.Remove(key);
            }
            else
            {
                _locks[key] = (entry.Gate, entry.Users - 1);
            }
        }
    }

    private sealed class Held(KeyedLocks owner, string key, SemaphoreSlim gate) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
                owner.Leave(key);
            }
            return ValueTask.CompletedTask;
        }
    }
}
