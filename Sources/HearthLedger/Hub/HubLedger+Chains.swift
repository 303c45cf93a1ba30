import HearthCore
import HearthStore

extension HubLedger {
    /// Walks every author's hash chain the hub holds, from its signed checkpoint, or with
    /// `whole` from its first op through the archive (``LedgerChains``), in one read snapshot.
    public func verifyChains(whole: Bool = false) async throws(ReplicaError) -> ChainVerification {
        let key = Array(keys.signingKey.publicKey.rawRepresentation)
        return try await snapshots.snapshot { sql in try LedgerChains.verify(sql, hubKey: key, whole: whole) }
    }

    /// The authors' chain checkpoints, by author.
    public func chainCheckpoints() async throws(ReplicaError) -> [ChainCheckpoint] {
        try await snapshots.snapshot { sql in
            try sql.rows(
                "SELECT replica, counter, hash, signed_millis, signature FROM chain_checkpoints ORDER BY replica", []
            ).compactMap { row in
                guard let replica = row[0].text, let counter = row[1].integer, let hash = row[2].text,
                    let millis = row[3].integer, let signature = row[4].text
                else { return nil }
                return ChainCheckpoint(
                    replica: ReplicaID(replica), counter: UInt64(max(0, counter)), hash: hash, signedMillis: millis,
                    signature: signature)
            }
        }
    }
}
