import HearthCore
import HearthStore

/// The ops the hub holds instead of applying them, as its storage keeps them: listed for the
/// desk and settled one at a time. Apart from ``LedgerStorage`` because a backend gains it as
/// one piece (``LedgerQuarantine`` holds the bodies over either database's statements).
public protocol QuarantineStorage: Sendable {
    /// The held ops (with `includeSettled`, the released and discarded ones too), oldest first,
    /// each with the ops waiting for it.
    func quarantine(includeSettled: Bool) async throws(ReplicaError) -> [QuarantineEntry]

    /// One page of ``quarantine(includeSettled:)``: at most `limit` entries from `offset`, read by
    /// index (the desk's page costs what it shows), and how many there are in all.
    func quarantine(includeSettled: Bool, limit: Int, offset: Int) async throws(ReplicaError)
        -> (entries: [QuarantineEntry], total: Int)

    /// Settles the held op `dot` in one transaction: reads it and what the hub holds around it
    /// (``HeldOp``), asks `decide`, and carries out its settlement with its audit line. An op
    /// not held, or settled already, is refused (``ReplicaError/invalid(_:)`` on `id`);
    /// whatever `decide` throws rolls everything back.
    func settle(
        _ dot: Dot, author: String, nowMillis: Int64,
        decide: @escaping @Sendable (HeldOp) throws(ReplicaError) -> SettlementDecision
    ) async throws(ReplicaError) -> SettlementOutcome
}
