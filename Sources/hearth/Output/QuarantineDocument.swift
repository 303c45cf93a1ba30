import HearthLedger

/// An op the hub holds in quarantine, as `hub quarantine list --json` prints it.
struct QuarantineDocument: Codable, Sendable, Equatable {
    /// The op's id, `replica:counter`.
    let id: String
    @Nullable var record: String?
    let author: String
    let reason: String
    /// held, released or discarded.
    let state: String
    let at: String
    /// Ops waiting for this one.
    let dependents: [String]

    init(_ entry: QuarantineEntry) {
        id = entry.dot.description
        record = entry.record?.value
        author = entry.author
        reason = entry.reason
        state = entry.state
        at = Output.documentTime(entry.atMillis)
        dependents = entry.dependents.map(\.description)
    }
}
