import HearthStore

/// One op of the log as `hearth log --json` prints it: where it sits and the op in its wire form
/// (sensitive values sealed).
struct LogDocument: Codable, Sendable, Equatable {
    let seq: Int64
    let hash: String
    /// `applied`, or `waiting` for an op it depends on.
    let state: String
    /// The op as Protocol/ops.md specifies it (see ``EmbeddedJSON`` for why it is not re-typed).
    let op: EmbeddedJSON

    init(_ entry: LogEntry) {
        seq = entry.seq
        hash = entry.hash
        state = entry.state
        op = EmbeddedJSON(entry.op.json)
    }
}
