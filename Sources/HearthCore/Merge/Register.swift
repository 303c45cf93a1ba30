/// One value in a field's multi-value register, with the op that wrote it.
public struct RegisterEntry: Hashable, Sendable {
    public let dot: Dot
    public let hlc: HLC
    /// The rank of the replica that wrote it, for the `authority` policy.
    public let rank: ScopePrefix.Level
    public let value: FieldValue

    public init(dot: Dot, hlc: HLC, rank: ScopePrefix.Level, value: FieldValue) {
        self.dot = dot
        self.hlc = hlc
        self.rank = rank
        self.value = value
    }

    /// Last-writer-wins order: greater HLC, then greater replica id, then greater counter.
    public static func lwwPrecedes(_ lhs: RegisterEntry, _ rhs: RegisterEntry) -> Bool {
        (lhs.hlc, lhs.dot.replica, lhs.dot.counter) < (rhs.hlc, rhs.dot.replica, rhs.dot.counter)
    }
}

/// A multi-value register: the values of one field written concurrently, none of which
/// has seen the others.
///
/// Writing with a context removes exactly the values whose dots the context covers and
/// adds the new one. Under causal delivery this is a CRDT: any order of the same ops gives
/// the same entries, which are kept sorted by dot so that equal registers encode equally.
public struct Register: Hashable, Sendable {
    public private(set) var entries: [RegisterEntry]

    public init(entries: [RegisterEntry] = []) {
        self.entries = entries.sorted { $0.dot < $1.dot }
    }

    public var isEmpty: Bool { entries.isEmpty }

    public mutating func write(_ entry: RegisterEntry, context: VersionVector) {
        entries.removeAll { context.covers($0.dot) || $0.dot == entry.dot }
        let position = entries.firstIndex { entry.dot < $0.dot } ?? entries.endIndex
        entries.insert(entry, at: position)
    }
}
