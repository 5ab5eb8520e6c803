namespace Platform.Testing;

/// <summary>Asserting eventual outcomes by polling with a deadline, never by a fixed sleep.</summary>
public static class Eventually
{
    public static async Task<T> MatchAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan timeout, string description)
    {
        var deadline = DateTime.UtcNow + timeout;
        T last;
        while (true)
        {
            last = await probe();
            if (condition(last))
            {
                return last;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not reached within {timeout.TotalSeconds:0.#} s: {description}. Last value: {Describe(last)}");
            }

            await Task.Delay(25);
        }
    }

    public static Task<T> MatchAsync<T>(Func<T> probe, Func<T, bool> condition, TimeSpan timeout, string description) =>
        MatchAsync(() => Task.FromResult(probe()), condition, timeout, description);

    // A list prints as its type name; its count says more about how far it got.
    private static string Describe<T>(T value) => value is System.Collections.ICollection collection
        ? $"{collection.Count} item(s)"
        : value?.ToString() ?? "null";
}
