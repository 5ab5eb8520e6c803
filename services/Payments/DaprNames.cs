namespace Payments;

/// <summary>The Dapr names this service uses, matching components/*.yaml and dapr.yaml (a test checks them).</summary>
public static class DaprNames
{
    public const string AppId = "payments";
    public const string PubSub = "pubsub";

    /// <summary>Payments and credit accounts (state.postgresql v2, own database) with the outbox to <see cref="Topic"/>.</summary>
    public const string StateStore = "payments-store";

    /// <summary>The outbox topic of <see cref="StateStore"/>: every event of this service.</summary>
    public const string Topic = "payments";
}
