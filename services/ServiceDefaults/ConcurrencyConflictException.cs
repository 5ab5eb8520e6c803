namespace ServiceDefaults;

/// <summary>
/// A read-modify-write kept losing its ETag race after every retry; answered 409 so the caller can retry later.
/// A stale <c>If-Match</c> from a client is not this: handlers answer that with 412 themselves.
/// </summary>
public sealed class ConcurrencyConflictException(string message) : Exception(message);
