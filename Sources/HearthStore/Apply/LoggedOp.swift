import GRDB
import HearthCore

/// The op log's stored form of an op (`ops.body`): a compact binary encoding of the op, from
/// which its canonical bytes (what is hashed, chained and signed) are rebuilt exactly.
///
/// Why: the canonical JSON repeated every key name, the record id and replica ids as text and
/// the previous op's hash as 64 hex digits (about 510 bytes an op on a county's hub); this form
/// holds each once in binary (about 40% of it). Readers never see the difference: every
/// reader of `body` goes through ``DatabaseValue/loggedOp`` or ``Op/init(logged:)``, which read
/// both this form and the canonical JSON bodies logged before v19 (the quarantine table still
/// stores those).
///
/// Layout (varints as in ``CompactWriter``; a replica id as its 6 bytes):
/// format byte `1` (a JSON body starts with `{`); dot (replica, counter); HLC (zigzag millis,
/// logical); author; origin; record (a byte: the type's position in ``RecordType/allCases``,
/// plus 0x80 when the op creates the record, else followed by the creating dot); scope;
/// fields (count, then per field in name order its key as in ``RecordState/compactBytes`` and
/// its value); context (count, then replica and counter per entry in replica order); previous
/// hash (0 none, 1 its 32 bytes); cause (0 none, 1 its text); voids (count, then dots).
///
/// An op this form cannot hold exactly (a replica id that is not 12 lower-case hex digits)
/// is logged as its canonical JSON instead.
extension Op {
    static let loggedFormat: UInt8 = 1

    /// The bytes to log for this op: the compact form, or the canonical JSON when it cannot hold the op.
    package var loggedBytes: [UInt8] {
        compactBytes ?? canonicalBytes
    }

    /// Reads a logged body, in either form; throws when it is neither.
    /// The op logged as `bytes`, knowing the hash logged beside it: an op sent on from a log
    /// (a pull's page, a node's push) is written with the hash of the one before it, and
    /// computing each hash again (its canonical JSON, then SHA-256) cost a pull's answer a
    /// tenth of its time.
    package init(logged bytes: [UInt8], hash: [UInt8]?) throws(OpFormatError) {
        let op = try Op(logged: bytes)
        self = hash.map(op.knowingLoggedHash) ?? op
    }

    package init(logged bytes: [UInt8]) throws(OpFormatError) {
        guard bytes.first == Op.loggedFormat else {
            try self.init(bytes: bytes)
            return
        }
        guard let op = Op(compactBytes: bytes) else { throw OpFormatError("not a logged op this code wrote") }
        self = op
    }

    var compactBytes: [UInt8]? {
        var out = CompactWriter(capacity: 96 + 24 * fields.count + 10 * context.entries.count)
        out.byte(Op.loggedFormat)
        guard Op.write(dot, into: &out) else { return nil }
        out.signed(hlc.millis)
        out.varint(UInt64(hlc.logical))
        out.text(author)
        out.text(origin.value)
        guard let typeIndex = RecordType.allCases.firstIndex(of: record.type) else { return nil }
        let creator = record.creator
        // Record ids are canonical (`T-replica-counter`), so the creating dot names the record.
        if creator == dot {
            out.byte(UInt8(typeIndex) | 0x80)
        } else {
            out.byte(UInt8(typeIndex))
            guard Op.write(creator, into: &out) else { return nil }
        }
        out.text(scope.value)
        out.varint(fields.count)
        // Each field with its value, in the order of the names' UTF-8 (not looked up again).
        for (name, value) in fields.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            RecordState.writeFieldKey(name, into: &out)
            RecordState.writeValue(value, into: &out)
        }
        let entries = context.sorted
        out.varint(entries.count)
        for entry in entries {
            guard Op.write(Dot(replica: entry.replica, counter: entry.counter), into: &out) else { return nil }
        }
        if previous.isEmpty {
            out.byte(0)
        } else {
            out.byte(1)
            guard out.hex(previous, count: 32) else { return nil }
        }
        if let cause {
            out.byte(1)
            out.text(cause)
        } else {
            out.byte(0)
        }
        out.varint(voids.count)
        for void in voids {
            guard Op.write(void, into: &out) else { return nil }
        }
        return out.bytes
    }

    /// Reads the compact form; nil for bytes ``compactBytes`` would not write.
    init?(compactBytes bytes: [UInt8]) {
        var reader = CompactReader(bytes)
        guard reader.byte() == Op.loggedFormat, let dot = Op.readDot(&reader), let millis = reader.signed(),
            let logical = reader.varint(), logical <= UInt64(UInt32.max), let author = reader.text(),
            let originText = reader.text(), let origin = try? ScopePrefix.parse(originText, field: "origin"),
            let typeByte = reader.byte(), Int(typeByte & 0x7F) < RecordType.allCases.count
        else { return nil }
        let type = RecordType.allCases[Int(typeByte & 0x7F)]
        let record: RecordID
        if typeByte & 0x80 != 0 {
            record = RecordID(type: type, creator: dot)
        } else {
            guard let creator = Op.readDot(&reader) else { return nil }
            record = RecordID(type: type, creator: creator)
        }
        guard let scopeText = reader.text(), let scope = try? DivisionCode.parse(scopeText, field: "scope"),
            let fieldCount = reader.count(atMost: bytes.count)
        else { return nil }
        var fields: [String: FieldValue] = [:]
        for _ in 0..<fieldCount {
            guard let name = RecordState.readFieldKey(&reader), let value = RecordState.readValue(&reader),
                fields.updateValue(value, forKey: name) == nil
            else { return nil }
        }
        guard let contextCount = reader.count(atMost: bytes.count) else { return nil }
        var context: [ReplicaID: UInt64] = [:]
        for _ in 0..<contextCount {
            guard let entry = Op.readDot(&reader) else { return nil }
            context[entry.replica] = entry.counter
        }
        var previous = ""
        switch reader.byte() {
        case 0: break
        case 1:
            guard let hash = reader.raw(32) else { return nil }
            previous = Hex.encode(hash)
        default: return nil
        }
        var cause: String?
        switch reader.byte() {
        case 0: break
        case 1:
            guard let text = reader.text() else { return nil }
            cause = text
        default: return nil
        }
        guard let voidCount = reader.count(atMost: bytes.count) else { return nil }
        var voids: [Dot] = []
        for _ in 0..<voidCount {
            guard let void = Op.readDot(&reader) else { return nil }
            voids.append(void)
        }
        guard reader.isAtEnd else { return nil }
        self.init(
            dot: dot, hlc: HLC(millis: millis, logical: UInt32(logical)), author: author, origin: origin,
            record: record, scope: scope, fields: fields, context: VersionVector(context), previous: previous,
            cause: cause, voids: voids)
        // Whatever else would read (an order, a repeat, a padded number) is not what was written.
        guard compactBytes == bytes else { return nil }
    }

    private static func write(_ dot: Dot, into out: inout CompactWriter) -> Bool {
        guard out.hex(dot.replica.value, count: 6) else { return false }
        out.varint(dot.counter)
        return true
    }

    private static func readDot(_ reader: inout CompactReader) -> Dot? {
        guard let raw = reader.raw(6), let counter = reader.varint(), counter > 0, counter <= Dot.maxCounter else {
            return nil
        }
        return Dot(replica: ReplicaID(Hex.encode(raw)), counter: counter)
    }
}

extension DatabaseValue {
    /// The op stored in this `body` value (the ops or quarantine table); nil when the bytes are not one.
    package var loggedOp: Op? { try? Op(logged: storage.asBytes) }
}

extension DatabaseValue.Storage {
    package var asBytes: [UInt8] {
        switch self {
        case .blob(let data): return Array(data)
        case .string(let text): return Array(text.utf8)
        default: return []
        }
    }
}
