/// The merged state of one record: a register per field and the record's version vector.
///
/// This is the pure merge. Storage loads a state, applies ops that are causally ready,
/// and writes the state and its rendered row back; nothing here reads a clock or a file.
public struct RecordState: Hashable, Sendable {
    public let id: RecordID
    /// Every op applied to this record, as a vector: the context of the next local op.
    public private(set) var clock: VersionVector
    public private(set) var registers: [String: Register]

    public init(id: RecordID, clock: VersionVector = .empty, registers: [String: Register] = [:]) {
        self.id = id
        self.clock = clock
        self.registers = registers
    }

    /// Whether the op has already been applied here. Sound because every op's context
    /// includes its author's previous op on the record, so a covered dot was applied.
    public func hasApplied(_ op: Op) -> Bool {
        clock.covers(op.dot)
    }

    /// The ops this op's context covers that this state does not hold yet, named by the
    /// newest dot per replica. Empty means the op is causally ready (docs/rules.md R11).
    public func missingDependencies(of op: Op) -> [Dot] {
        // Checked for every op on the apply path: nothing is sorted or allocated unless
        // something is missing, which is rare.
        var missing: [Dot] = []
        for (replica, counter) in op.context.entries where clock[replica] < counter {
            let dot = Dot(replica: replica, counter: counter)
            if !op.voids.contains(dot) { missing.append(dot) }
        }
        if missing.count > 1 { missing.sort() }
        return missing
    }

    /// Applies a causally ready op: per field it sets, removes the values its context
    /// covers and adds its own. Applying an op twice changes nothing.
    public mutating func apply(_ op: Op) {
        precondition(op.record == id, "op applied to the wrong record")
        guard !hasApplied(op) else { return }
        // A voided op counts as held: the context of ops made after it covers it.
        for void in op.voids { clock.add(void) }
        let rank = op.origin.level
        for (name, value) in op.fields {
            // In place: a register copied out of the dictionary and written back would copy its entries.
            registers[name, default: Register()].write(
                RegisterEntry(dot: op.dot, hlc: op.hlc, rank: rank, value: value), context: op.context)
        }
        clock.add(op.dot)
    }

    /// How one field reads now.
    public func resolution(of field: String) -> Resolution {
        let policy = RecordSchema.field(field, of: id.type)?.policy ?? .lww
        return Resolution.resolve(registers[field] ?? Register(), policy: policy)
    }

    /// ``resolution(of:)`` of a field of this record's schema, its spec at hand (a view walks
    /// the schema's fields: looking each up again by name was a sixth of a county's list).
    public func resolution(of spec: FieldSpec) -> Resolution {
        Resolution.resolve(registers[spec.name] ?? Register(), policy: spec.policy)
    }

    /// The display value of every field that has one.
    public var values: [String: FieldValue] {
        var out: [String: FieldValue] = [:]
        for name in registers.keys { out[name] = resolution(of: name).value }
        return out
    }

    /// The fields whose policy could not settle their concurrent values, sorted.
    public var conflicts: [String] {
        registers.keys.filter { resolution(of: $0).inConflict }.sorted()
    }

    /// The greatest HLC among the live values: when the record last changed, as merged.
    public var updated: HLC {
        var newest = HLC.zero
        for register in registers.values {
            for entry in register.entries where entry.hlc > newest { newest = entry.hlc }
        }
        return newest
    }
}
