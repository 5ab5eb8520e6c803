namespace EndToEnd.Infrastructure;

/// <summary>
/// Polling with a deadline that hands back the last value instead of throwing, so the test asserts on it and a
/// failure shows what differed (expected vs actual), not only that time ran out.
/// </summary>
public static class Settle
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> settled, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var last = await probe();
            if (settled(last) || DateTime.UtcNow > deadline)
            {
                return last;
            }

            await Task.Delay(100, TestContext.Current.CancellationToken);
        }
    }
}
