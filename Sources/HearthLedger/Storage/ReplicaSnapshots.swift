import HearthStore

/// A storage that runs the ledger's reads of the hub's replica tables (a record and its log,
/// rule cases, the roll, reports, leads, the county's configuration) in one read-only snapshot
/// on its database: ``HubLedger/reading(_:)``.
///
/// Why apart from ``LedgerStorage``: the reads are written once, over ``SQLStatements``
/// (``ReplicaReading``), which is the package's own seam and cannot appear in a public
/// protocol. Both backends conform; the ledger is only ever made over one that does.
package protocol ReplicaSnapshots: Sendable {
    /// Runs `body` over the statements of one read-only snapshot, on a thread where waiting for
    /// the database is allowed (never one of Swift's cooperative threads).
    func snapshot<T: Sendable>(_ body: @escaping @Sendable (any SQLStatements) throws -> T)
        async throws(ReplicaError) -> T
}
