namespace Sidecar.Faults;

/// <summary>
/// Thrown by an injected crash inside a message handler. A broker treats it as the process dying mid-handler:
/// the message is neither acknowledged nor rejected, so a durable broker redelivers it later.
/// </summary>
public sealed class SimulatedCrashException(string message) : Exception(message);
