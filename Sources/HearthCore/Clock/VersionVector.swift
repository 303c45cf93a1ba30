/// For each replica, the greatest op counter seen from it.
///
/// On a record, an op's context is such a vector: every op on the record that it covers
/// was seen by the author and is replaced by the op's own values. Entries are always dots
/// of real ops on the record, so "covers" also names exactly the ops an op waits for.
public struct VersionVector: Hashable, Sendable, CustomStringConvertible {
    public private(set) var entries: [ReplicaID: UInt64]

    public init(_ entries: [ReplicaID: UInt64] = [:]) {
        self.entries = entries.filter { $0.value > 0 }
    }

    public static let empty = VersionVector()

    public subscript(replica: ReplicaID) -> UInt64 {
        entries[replica] ?? 0
    }

    public var isEmpty: Bool { entries.isEmpty }

    /// Whether the op named `dot` is covered by this vector.
    public func covers(_ dot: Dot) -> Bool {
        self[dot.replica] >= dot.counter
    }

    /// Whether every entry of `other` is covered.
    public func dominates(_ other: VersionVector) -> Bool {
        other.entries.allSatisfy { self[$0.key] >= $0.value }
    }

    /// Records that the op named `dot` has been applied.
    public mutating func add(_ dot: Dot) {
        if dot.counter > self[dot.replica] { entries[dot.replica] = dot.counter }
    }

    /// The least upper bound of two vectors.
    public mutating func merge(_ other: VersionVector) {
        for (replica, counter) in other.entries where counter > self[replica] {
            entries[replica] = counter
        }
    }

    /// Entries sorted by replica id: the canonical order for encoding and display.
    public var sorted: [(replica: ReplicaID, counter: UInt64)] {
        entries.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    public var description: String {
        "{" + sorted.map { "\($0.replica):\($0.counter)" }.joined(separator: ", ") + "}"
    }
}
