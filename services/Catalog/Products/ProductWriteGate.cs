namespace Catalog.Products;

/// <summary>
/// One write per product at a time in this process. Correctness does not depend on it (the ETag loop in
/// <see cref="ProductStore"/> handles writers in other replicas); cost does: daprd publishes a transaction's outbox
/// message before the store commits, so every transaction that loses an ETag race still sends an internal message,
/// and the relay holds one of the pub/sub's workers (10 on Redis) for about 11 s looking for a marker that never
/// comes. Ten racing writes in one process made about 45 such messages and delayed real events by tens of seconds.
/// </summary>
internal sealed class ProductWriteGate
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public async Task<IDisposable> EnterAsync(string sku, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (_entries)
        {
            if (!_entries.TryGetValue(sku, out entry!))
            {
                entry = new Entry();
                _entries.Add(sku, entry);
            }

            entry.Users++;
        }

        try
        {
            await entry.Semaphore.WaitAsync(cancellationToken);
        }
        catch
        {
            Leave(sku, entry, held: false);
            throw;
        }

        return new Lease(this, sku, entry);
    }

    private void Leave(string sku, Entry entry, bool held)
    {
        if (held)
        {
            entry.Semaphore.Release();
        }

        lock (_entries)
        {
            // The last user removes the entry, so the gate holds only products being written right now.
            if (--entry.Users == 0)
            {
                _entries.Remove(sku);
                entry.Semaphore.Dispose();
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int Users { get; set; }
    }

    private sealed class Lease(ProductWriteGate gate, string sku, Entry entry) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                gate.Leave(sku, entry, held: true);
            }
        }
    }
}
