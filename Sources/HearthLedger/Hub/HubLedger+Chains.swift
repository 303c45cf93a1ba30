import HearthCore
import HearthStore

extension HubLedger {
    /// Walks every author's hash chain the hub holds, from its signed checkpoint, or with
    /// `whole` from its first op through the archive (``LedgerChains``), in one read snapshot.
    public func verifyChains(whole: Bool = false) async throws(ReplicaError) -> ChainVerification {
        try await verifyChains(whole: whole, pageSize: LedgerChains.pageSize)
    }

    /// ``verifyChains(whole:)`` reading at most `pageSize` ops at a time from each table (the
    /// tests walk in pages of a few ops, so that every page boundary is crossed).
    package func verifyChains(whole: Bool, pageSize: Int) async throws(ReplicaError) -> ChainVerification {
        let key = Array(keys.signingKey.publicKey.rawRepresentation)
        return try await snapshots.snapshot { sql in
            try LedgerChains.verify(sql, hubKey: key, whole: whole, pageSize: pageSize)
        }
    }

    /// The authors' chain checkpoints, by author.
    public func chainCheckpoints() async throws(ReplicaError) -> [ChainCheckpoint] {
        try await snapshots.snapshot { sql in try LedgerChains.stored(sql) }
    }
}
