/// The unique name of one op: the replica that made it and that replica's op counter.
///
/// Counters start at 1 and grow by one per op on their replica, so a dot both identifies
/// an op (dedup makes apply idempotent) and orders the ops of one replica.
public struct Dot: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let replica: ReplicaID
    public let counter: UInt64

    public init(replica: ReplicaID, counter: UInt64) {
        self.replica = replica
        self.counter = counter
    }

    /// The greatest counter a dot may carry: counters travel as JSON integers and are stored
    /// as SQLite integers, both signed 64-bit.
    public static let maxCounter = UInt64(Int64.max)

    /// Parses the `replica:counter` text form.
    public init?(text: String) {
        let parts = text.split(separator: ":")
        guard parts.count == 2, let replica = ReplicaID(validating: String(parts[0])),
            let counter = UInt64(parts[1]), counter > 0, counter <= Dot.maxCounter
        else { return nil }
        self.init(replica: replica, counter: counter)
    }

    public static func < (lhs: Dot, rhs: Dot) -> Bool {
        (lhs.replica, lhs.counter) < (rhs.replica, rhs.counter)
    }

    public var description: String { "\(replica.value):\(counter)" }
}
