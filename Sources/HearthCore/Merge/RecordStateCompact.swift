/// The stored form of a record's merge state (`record_meta.state`): compact binary, canonical.
///
/// Why not JSON: every record touched by a batch is loaded and written back, and the JSON text
/// repeated each value's `"replica:counter"`, timestamp and rank name (about 770 bytes a record
/// on a county's hub) and had to be parsed on every load. This form names each replica once,
/// each stamp (dot, HLC, rank) once, and a field by a number.
///
/// Layout (varints are unsigned LEB128, shortest form):
/// - format byte `1`;
/// - replicas: count, then each replica id as its 6 bytes (12 hex digits), ascending;
/// - clock: count, then (replica index, counter) per entry, ascending by replica;
/// - stamps: count, then (replica index, counter, zigzag millis, logical, rank) per distinct
///   stamp, ascending by (dot, HLC, rank); rank is 0 village, 1 township, 2 county;
/// - fields: count, then per field, ascending by name's UTF-8: its key (the 1-based position
///   in ``fieldNumbers``, or 0 followed by the name), the register's entry count and per entry
///   (stamp index, value);
/// - a value: tag 0 null, 1 text, 2 integer (zigzag), 3 set (count, then texts), 4 sealed with
///   a hex digest (box text, the digest's 32 bytes), 5 sealed otherwise (box text, digest text).
///
/// Canonical: the encoding is a function of the state (every list in a fixed order), so two
/// replicas holding the same state hold the same bytes. The decoder re-encodes what it read and
/// refuses bytes that differ, so it accepts exactly what this code writes.
extension RecordState {
    /// Field names in their stored numbering. Frozen: a name keeps its number forever; a new
    /// field is appended (or, until it is, stored by name).
    public static let fieldNumbers: [String] = [
        "village", "address", "type", "head", "population", "income", "assets", "phone", "bank_card", "payee",
        "account_name", "status", "tags", "note", "household", "name", "id_number", "sex", "birth_date", "relation",
        "disability_grade", "health", "work_capacity", "vital_status", "death_date", "member", "program",
        "decision", "amount", "start_month", "end_month", "exit_reason", "approver", "recommendation",
        "suspended_from", "date", "worker", "band", "from_month", "value", "source", "detail", "reported_date",
        "verifier", "suspended", "code",
    ]

    private static let fieldKeys: [String: Int] = Dictionary(
        uniqueKeysWithValues: fieldNumbers.enumerated().map { ($0.element, $0.offset + 1) })

    private static let format: UInt8 = 1

    /// A stamp as the encoder orders it: its replica's position among the state's replicas
    /// (ascending by id), then its counter, clock and rank code, each a number.
    private struct NumberedStamp: Equatable, Comparable {
        let replica: Int
        let counter: UInt64
        let millis: Int64
        let logical: UInt32
        let rank: UInt8

        static func < (lhs: NumberedStamp, rhs: NumberedStamp) -> Bool {
            (lhs.replica, lhs.counter, lhs.millis, lhs.logical, lhs.rank)
                < (rhs.replica, rhs.counter, rhs.millis, rhs.logical, rhs.rank)
        }
    }

    private struct Stamp: Hashable, Comparable {
        let dot: Dot
        let hlc: HLC
        let rank: ScopePrefix.Level

        static func < (lhs: Stamp, rhs: Stamp) -> Bool {
            (lhs.dot, lhs.hlc, lhs.rank) < (rhs.dot, rhs.hlc, rhs.rank)
        }
    }

    /// The stored bytes of this state.
    public var compactBytes: [UInt8] { compactBytes(leavingOut: nil) }

    /// The bytes of this state as a message carries it (Protocol/sync.md, Snapshot): the stored
    /// form, less the keyed hash of each sealed value that `digests` derives from its box
    /// (tag 6: the box alone), as a message leaves out an op's `hmac`. Without `digests`, the
    /// stored form.
    public func compactBytes(leavingOut digests: (any SealedDigestSource)?) -> [UInt8] {
        // Arrays, sorted and searched: a record has a handful of replicas and stamps, and this
        // runs for every record a batch changes. The replicas come first; a stamp is then held
        // as numbers (its replica's position among them), so stamps sort and are found without
        // comparing texts, in the same order as by replica id.
        var replicas = Array(clock.entries.keys)
        for register in registers.values {
            for entry in register.entries where !replicas.contains(entry.dot.replica) {
                replicas.append(entry.dot.replica)
            }
        }
        replicas.sort()
        func replicaIndex(_ replica: ReplicaID) -> Int { replicas.firstIndex(of: replica)! }
        func numbered(_ entry: RegisterEntry) -> NumberedStamp {
            NumberedStamp(
                replica: replicaIndex(entry.dot.replica), counter: entry.dot.counter, millis: entry.hlc.millis,
                logical: entry.hlc.logical, rank: Self.rankCode(entry.rank))
        }
        var stamps: [NumberedStamp] = []
        for register in registers.values {
            for entry in register.entries { stamps.append(numbered(entry)) }
        }
        stamps.sort()
        stamps = Self.unique(stamps)
        // The fields with their registers, in the order of their names' UTF-8.
        let fields = registers.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }

        var out = CompactWriter(capacity: 16 + 8 * replicas.count + 12 * stamps.count + 24 * registers.count)
        out.byte(Self.format)
        out.varint(replicas.count)
        for replica in replicas { Self.writeReplica(replica, into: &out) }
        let clockEntries = clock.sorted
        out.varint(clockEntries.count)
        for entry in clockEntries {
            out.varint(replicaIndex(entry.replica))
            out.varint(entry.counter)
        }
        out.varint(stamps.count)
        for stamp in stamps {
            out.varint(stamp.replica)
            out.varint(stamp.counter)
            out.signed(stamp.millis)
            out.varint(UInt64(stamp.logical))
            out.byte(stamp.rank)
        }
        out.varint(fields.count)
        for (name, register) in fields {
            Self.writeFieldKey(name, into: &out)
            let entries = register.entries
            out.varint(entries.count)
            for entry in entries {
                out.varint(Self.position(of: numbered(entry), in: stamps))
                if let digests, case .sealed(let sealed) = entry.value, Hex.isSHA256(sealed.digest),
                    digests.digest(ofBox: sealed.box) == sealed.digest
                {
                    out.byte(6)
                    out.text(sealed.box)
                } else {
                    Self.writeValue(entry.value, into: &out)
                }
            }
        }
        return out.bytes
    }

    /// Rebuilds a state from its stored bytes; nil when they are not what ``compactBytes`` writes.
    public init?(id: RecordID, compactBytes bytes: [UInt8]) {
        self.init(id: id, compactBytes: bytes, deriving: nil)
    }

    /// Rebuilds a state from bytes this replica's own encoder wrote into its own database
    /// (each record's state, a floor): read as ``init(id:compactBytes:)`` reads them, without
    /// writing them again to check they are exactly what the encoder writes. Bytes from a
    /// message or a file are checked when they are read (a snapshot page, a pull's states)
    /// and stored as the encoder writes them, so the check would only repeat itself; it was
    /// a third of the decoding that a snapshot's install and every merge pay for each state.
    /// Damaged bytes still fail to read wherever their structure breaks.
    public init?(id: RecordID, storedBytes bytes: [UInt8]) {
        self.init(id: id, compactBytes: bytes, deriving: nil, checked: false)
    }

    /// Rebuilds a state from the bytes ``compactBytes(leavingOut:)`` writes with `digests`:
    /// each keyed hash left out is derived again from its box. Nil when the bytes are not
    /// exactly what that writes (a hash sent that could have been left out, a box that does not
    /// open under the key).
    public init?(id: RecordID, compactBytes bytes: [UInt8], deriving digests: (any SealedDigestSource)?) {
        self.init(id: id, compactBytes: bytes, deriving: digests, checked: true)
    }

    private init?(
        id: RecordID, compactBytes bytes: [UInt8], deriving digests: (any SealedDigestSource)?, checked: Bool
    ) {
        var reader = CompactReader(bytes)
        guard reader.byte() == Self.format, let replicaCount = reader.count(atMost: bytes.count / 6) else {
            return nil
        }
        var replicas: [ReplicaID] = []
        replicas.reserveCapacity(replicaCount)
        for _ in 0..<replicaCount {
            guard let raw = reader.raw(6) else { return nil }
            replicas.append(ReplicaID(Hex.encode(raw)))
        }
        guard let clockCount = reader.count(atMost: replicaCount) else { return nil }
        var clockEntries: [ReplicaID: UInt64] = [:]
        for _ in 0..<clockCount {
            guard let index = reader.count(atMost: replicaCount - 1), let counter = reader.varint() else { return nil }
            clockEntries[replicas[index]] = counter
        }
        guard let stampCount = reader.count(atMost: bytes.count) else { return nil }
        var stamps: [Stamp] = []
        stamps.reserveCapacity(stampCount)
        for _ in 0..<stampCount {
            guard let index = reader.count(atMost: replicaCount - 1), let counter = reader.varint(),
                let millis = reader.signed(), let logical = reader.varint(), logical <= UInt64(UInt32.max),
                let rankByte = reader.byte(), let rank = Self.rank(code: rankByte)
            else { return nil }
            stamps.append(
                Stamp(
                    dot: Dot(replica: replicas[index], counter: counter),
                    hlc: HLC(millis: millis, logical: UInt32(logical)), rank: rank))
        }
        guard let fieldCount = reader.count(atMost: bytes.count) else { return nil }
        var registers: [String: Register] = [:]
        for _ in 0..<fieldCount {
            guard let name = Self.readFieldKey(&reader) else { return nil }
            guard let entryCount = reader.count(atMost: bytes.count) else { return nil }
            var entries: [RegisterEntry] = []
            entries.reserveCapacity(entryCount)
            for _ in 0..<entryCount {
                guard let index = reader.count(atMost: stampCount - 1) else { return nil }
                let value: FieldValue
                if let digests, reader.peek() == 6 {
                    _ = reader.byte()
                    guard let box = reader.text(), let digest = digests.digest(ofBox: box) else { return nil }
                    value = .sealed(SealedValue(box: box, digest: digest))
                } else {
                    guard let read = Self.readValue(&reader) else { return nil }
                    value = read
                }
                let stamp = stamps[index]
                entries.append(RegisterEntry(dot: stamp.dot, hlc: stamp.hlc, rank: stamp.rank, value: value))
            }
            guard registers.updateValue(Register(entries: entries), forKey: name) == nil else { return nil }
        }
        guard reader.isAtEnd else { return nil }
        self.init(id: id, clock: VersionVector(clockEntries), registers: registers)
        // Anything this code did not write (an order, a repeat, an unused replica or stamp, a
        // set out of order) reads as some state whose bytes differ from these.
        guard !checked || compactBytes(leavingOut: digests) == bytes else { return nil }
    }

    /// A sorted array without its repeats.
    private static func unique<T: Equatable>(_ sorted: [T]) -> [T] {
        var out: [T] = []
        out.reserveCapacity(sorted.count)
        for item in sorted where out.last != item { out.append(item) }
        return out
    }

    /// Where `item` is in `sorted`, which holds it.
    private static func position<T: Comparable>(of item: T, in sorted: [T]) -> Int {
        var low = 0
        var high = sorted.count
        while low < high {
            let middle = (low + high) / 2
            if sorted[middle] < item { low = middle + 1 } else { high = middle }
        }
        return low
    }

    private static func writeReplica(_ replica: ReplicaID, into out: inout CompactWriter) {
        // A ReplicaID made by `init(_:)` is trusted to be 12 lower-case hex digits; any other
        // text would not round-trip and is refused when read back.
        if !out.hex(replica.value, count: 6) { out.raw(repeatElement(0, count: 6)) }
    }

    private static func rankCode(_ rank: ScopePrefix.Level) -> UInt8 {
        switch rank {
        case .village: return 0
        case .township: return 1
        case .county: return 2
        }
    }

    private static func rank(code: UInt8) -> ScopePrefix.Level? {
        switch code {
        case 0: return .village
        case 1: return .township
        case 2: return .county
        default: return nil
        }
    }

    /// A field's name as stored: its number in ``fieldNumbers``, or 0 and the name.
    public static func writeFieldKey(_ name: String, into out: inout CompactWriter) {
        if let key = fieldKeys[name] {
            out.varint(key)
        } else {
            out.varint(0)
            out.text(name)
        }
    }

    public static func readFieldKey(_ reader: inout CompactReader) -> String? {
        guard let key = reader.count(atMost: fieldNumbers.count) else { return nil }
        return key > 0 ? fieldNumbers[key - 1] : reader.text()
    }

    /// A field value as stored (the tags in the layout above).
    public static func writeValue(_ value: FieldValue, into out: inout CompactWriter) {
        switch value {
        case .null:
            out.byte(0)
        case .text(let text):
            out.byte(1)
            out.text(text)
        case .integer(let number):
            out.byte(2)
            out.signed(number)
        case .set(let members):
            out.byte(3)
            out.varint(members.count)
            for member in members { out.text(member) }
        case .sealed(let sealed):
            if Hex.isSHA256(sealed.digest) {
                out.byte(4)
                out.text(sealed.box)
                _ = out.hex(sealed.digest, count: 32)
            } else {
                out.byte(5)
                out.text(sealed.box)
                out.text(sealed.digest)
            }
        }
    }

    public static func readValue(_ reader: inout CompactReader) -> FieldValue? {
        switch reader.byte() {
        case 0: return .null
        case 1: return reader.text().map(FieldValue.text)
        case 2: return reader.signed().map(FieldValue.integer)
        case 3:
            guard let count = reader.varint(), count <= UInt64(Int32.max) else { return nil }
            var members: [String] = []
            for _ in 0..<Int(count) {
                guard let member = reader.text() else { return nil }
                members.append(member)
            }
            return .set(members)
        case 4:
            guard let box = reader.text(), let digest = reader.raw(32) else { return nil }
            return .sealed(SealedValue(box: box, digest: Hex.encode(digest)))
        case 5:
            guard let box = reader.text(), let digest = reader.text() else { return nil }
            return .sealed(SealedValue(box: box, digest: digest))
        default: return nil
        }
    }
}
