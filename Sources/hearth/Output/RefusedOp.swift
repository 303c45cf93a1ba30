import HearthProtocol

/// An op the hub refused (quarantined), as `node sync`, `hub import` and `status` print it.
struct RefusedOp: Codable, Sendable, Equatable {
    /// The op's id, `replica:counter`.
    let dot: String
    /// Why the hub refused it, for the field worker.
    let reason: String

    init(dot: String, reason: String) {
        self.dot = dot
        self.reason = reason
    }

    init(_ note: QuarantineNote) { self.init(dot: note.dot.description, reason: note.reason) }
}
